using Consents.Contracts;
using Marten;
using MassTransit;

namespace Identity.Api.Accounts.Activating;

/// <summary>The activation code Consents issued for a person: only its SHA-256 travels and is kept.</summary>
public sealed record ActivationCode(Guid Id, Guid PersonId, string CodeSha256, DateTimeOffset ExpiresAt, DateTimeOffset IssuedAt, bool Used);

/// <summary>
/// Keeps the latest code per person (a reissued code voids the previous one). Keyed by person, so a
/// redelivery or an older message changes nothing.
/// </summary>
public sealed class ActivationIssuedConsumer(IDocumentSession session) : IConsumer<PersonActivationIssued>
{
    public async Task Consume(ConsumeContext<PersonActivationIssued> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<ActivationCode>(m.PersonId, context.CancellationToken);
        if (current is not null && current.IssuedAt >= m.OccurredAt) return;
        session.Store(new ActivationCode(m.PersonId, m.PersonId, m.CodeSha256.ToLowerInvariant(), m.ExpiresAt, m.OccurredAt, Used: false));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
