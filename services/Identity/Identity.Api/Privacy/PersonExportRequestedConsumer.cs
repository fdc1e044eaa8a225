using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Audit.Contracts;
using Consents.Contracts;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Activating;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Identity.Api.Privacy;

/// <summary>The person's login as Identity holds it; never the password's hash nor the activation code's.</summary>
public sealed record LoginExport(Guid AccountId, string Login, string Role, bool Disabled, bool HasPassword, DateTimeOffset? CreatedAt);

public sealed record ActivationCodeExport(DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Used);

public sealed record IdentityExportSections(IReadOnlyList<LoginExport> Logins, ActivationCodeExport? ActivationCode);

/// <summary>
/// Identity's part of a person's export. Published from here rather than through the event-store outbox: the part holds
/// personal data, which must not outlive the export in the event log (docs/adr/0070). Reading is idempotent; a
/// redelivered request publishes the same part with the same MessageId, and Consents keeps one.
/// </summary>
public sealed class PersonExportRequestedConsumer(IQuerySession session, IOptions<JsonOptions> json, TimeProvider time)
    : IConsumer<PersonExportRequested>
{
    public const string Service = "identity";

    public async Task Consume(ConsumeContext<PersonExportRequested> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var accounts = await session.Query<Account>().Where(a => a.PersonId == m.PersonId).ToListAsync(ct);
        var logins = new List<LoginExport>();
        foreach (var account in accounts)
        {
            var stream = await session.Events.FetchStreamStateAsync(account.Id, ct);
            logins.Add(new LoginExport(account.Id, account.Login, account.Role, account.Disabled, !string.IsNullOrEmpty(account.PasswordHash),
                stream?.Created));
        }
        var code = await session.LoadAsync<ActivationCode>(m.PersonId, ct);
        var sections = new IdentityExportSections(logins, code is null ? null : new ActivationCodeExport(code.IssuedAt, code.ExpiresAt, code.Used));
        var part = new PersonExportPart(m.ExportId, m.PersonId, Service, JsonSerializer.Serialize(sections, json.Value.SerializerOptions),
            time.GetUtcNow());
        await context.Publish(part, c => c.MessageId = MessageIdOf(m.ExportId), ct);
    }

    /// <summary>The same id for every copy of this service's part of one export (RFC 9562 version 8, from SHA-256).</summary>
    public static Guid MessageIdOf(Guid exportId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"coordination/export-part/{exportId:N}/{Service}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
