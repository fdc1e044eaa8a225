using Directory.Contracts;
using Marten;
using MassTransit;

namespace Appointments.Api.Copies;

/// <summary>
/// A place or permanence of a body, as Directory published it, with its full address: Appointments shows the
/// street address of a sensitive body's place to the body's members and to the persons booked there only.
/// </summary>
public sealed record PlaceCopy(Guid Id, Guid BodyId, string Name, string? AddressLine, string? PostalCode, string? Commune,
    string? CommuneInsee, Permanence? Permanence);

/// <summary>A membership of a professional in a body (for who belongs where), as Directory published it.</summary>
public sealed record MemberCopy(Guid Id, Guid BodyId, string Role, DateOnly From, DateOnly? LeftOn, DateTimeOffset AsOf);

/// <summary>A place is added once and never changes in Directory's contracts: its id is its natural key.</summary>
public sealed class PlaceAddedConsumer(IDocumentSession session) : IConsumer<PlaceAdded>
{
    public async Task Consume(ConsumeContext<PlaceAdded> context)
    {
        var m = context.Message;
        session.Store(new PlaceCopy(m.PlaceId, m.BodyId, m.Name, m.AddressLine, m.PostalCode, m.Commune, m.CommuneInsee, m.Permanence));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>Joined and left merge into one copy per membership whatever their order: a departure is never undone.</summary>
public sealed class MembershipConsumer(IDocumentSession session) : IConsumer<MemberJoined>, IConsumer<MemberLeft>
{
    public async Task Consume(ConsumeContext<MemberJoined> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<MemberCopy>(m.MemberId, context.CancellationToken);
        if (current is not null && current.Role.Length > 0) return;
        session.Store(new MemberCopy(m.MemberId, m.BodyId, m.Role, m.From, current?.LeftOn, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<MemberLeft> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<MemberCopy>(m.MemberId, context.CancellationToken)
            ?? new MemberCopy(m.MemberId, m.BodyId, "", m.On, null, m.OccurredAt);
        if (current.LeftOn is not null) return;
        session.Store(current with { LeftOn = m.On });
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
