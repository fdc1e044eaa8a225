using Directory.Contracts;
using Marten;
using MassTransit;

namespace Referrals.Api.LocalCopies;

/// <summary>
/// Referrals' copy of a Directory body: enough to name bodies in views and to apply the sensitive rule
/// without calling Directory on a user's request path.
/// </summary>
public sealed record KnownBody(Guid Id, string Name, string Kind, string? CommuneInsee, string[] TerritoryCodes,
    bool Sensitive, DateTimeOffset AsOf);

/// <summary>
/// Idempotent by its natural key: the copy is an upsert keyed by body id, and an older message never
/// overwrites a newer copy, so redeliveries and reordering leave exactly one, current, copy.
/// </summary>
public sealed class BodyCopyConsumer(IDocumentSession session) : IConsumer<BodyRegistered>, IConsumer<BodyUpdated>
{
    public Task Consume(ConsumeContext<BodyRegistered> context)
    {
        var m = context.Message;
        return Upsert(new KnownBody(m.BodyId, m.Name, m.Kind, m.CommuneInsee, m.TerritoryCodes, m.Sensitive, m.OccurredAt), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<BodyUpdated> context)
    {
        var m = context.Message;
        return Upsert(new KnownBody(m.BodyId, m.Name, m.Kind, m.CommuneInsee, m.TerritoryCodes, m.Sensitive, m.OccurredAt), context.CancellationToken);
    }

    private async Task Upsert(KnownBody copy, CancellationToken ct)
    {
        var current = await session.LoadAsync<KnownBody>(copy.Id, ct);
        if (current is not null && current.AsOf > copy.AsOf) return;
        session.Store(copy);
        await session.SaveChangesAsync(ct);
    }
}
