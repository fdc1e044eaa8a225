using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Audit.Contracts;
using MassTransit;

namespace Coordination.Secrecy.Gate.Privacy;

/// <summary>
/// A service's part of a person's export (GDPR art. 15/20): everything it holds about the person, as JSON sections.
/// The part is published from the consumer of PersonExportRequested, not through the event-store outbox: the outbox
/// would keep the content in the event log for ever, which is what erasure fights (see docs/adr/0070). Publishing is
/// confirmed before the request is acknowledged, so a failure redelivers the request and the part is made again; both
/// copies carry the same MessageId and Consents keeps one part per export and service.
/// </summary>
public static class ExportParts
{
    public static Guid MessageIdOf(Guid exportId, string service)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"coordination/export-part/{exportId:N}/{service}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public static Task PublishAsync<TSections>(ConsumeContext context, Guid exportId, Guid personId, string service, TSections sections,
        JsonSerializerOptions json, DateTimeOffset now) where TSections : class =>
        context.Publish(new PersonExportPart(exportId, personId, service, JsonSerializer.Serialize(sections, json), now),
            c => c.MessageId = MessageIdOf(exportId, service), context.CancellationToken);
}
