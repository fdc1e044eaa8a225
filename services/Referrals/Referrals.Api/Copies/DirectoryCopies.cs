using Consents.Contracts;
using Coordination.Secrecy.Gate.Privacy;
using Directory.Contracts;
using Marten;
using MassTransit;

namespace Referrals.Api.Copies;

// Local copies of other services' facts, so that a request never calls another service. Each consumer
// merges its message into a document keyed by the message's natural id: a redelivery changes nothing and
// an older message never overwrites a newer copy. (Grants, companions, bodies and involvement are the
// secrecy gate's copies.)

/// <summary>A person's display name, from Consents' PersonRegistered (category identity).</summary>
public sealed record PersonNameCopy(Guid Id, string DisplayName, Guid RegisteredByBodyId, DateTimeOffset AsOf);

/// <summary>
/// A membership of a body, from Directory: who may be designated contact person. No email is kept: Referrals
/// never needs it. <see cref="Joined"/> is false while only the departure is known.
/// </summary>
public sealed record MemberCopy(Guid Id, Guid BodyId, string DisplayName, string Role, DateOnly? From, DateOnly? LeftOn, bool Joined,
    DateTimeOffset AsOf)
{
    public bool IsCurrentMemberOf(Guid bodyId) => Joined && LeftOn is null && BodyId == bodyId;
}

/// <summary>A service a body offers, from Directory: a referral may name one of the receiving body's services.</summary>
public sealed record ServiceCopy(Guid Id, Guid BodyId, string Name, string[] Thematiques, string CapacityStatus, DateTimeOffset AsOf);

public sealed class PersonNameCopyConsumer(IDocumentSession session) : IConsumer<PersonRegistered>
{
    public async Task Consume(ConsumeContext<PersonRegistered> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<PersonNameCopy>(m.PersonId, context.CancellationToken);
        if (current is not null && current.AsOf >= m.OccurredAt) return;
        // A registration that arrives after the person was erased here is kept without the name.
        var name = await PersonErasure.IsErasedAsync(session, m.PersonId, context.CancellationToken) ? Erased.Text : m.DisplayName;
        session.Store(new PersonNameCopy(m.PersonId, name, m.RegisteredByBodyId, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class MemberJoinedConsumer(IDocumentSession session) : IConsumer<MemberJoined>
{
    public async Task Consume(ConsumeContext<MemberJoined> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<MemberCopy>(m.MemberId, context.CancellationToken);
        if (current is { Joined: true }) return;
        // A departure that arrived first is kept; the arrival fills in the rest.
        session.Store(new MemberCopy(m.MemberId, m.BodyId, m.DisplayName, m.Role, m.From, current?.LeftOn, true, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class ServiceCopyConsumer(IDocumentSession session) : IConsumer<ServiceListed>, IConsumer<ServiceCapacityChanged>
{
    public async Task Consume(ConsumeContext<ServiceListed> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<ServiceCopy>(m.ServiceId, context.CancellationToken);
        if (current is not null && current.AsOf >= m.OccurredAt && current.Name.Length > 0) return;
        // A newer capacity change that arrived first keeps its status.
        var capacity = current is not null && current.AsOf > m.OccurredAt ? current.CapacityStatus : m.CapacityStatus;
        var asOf = current is not null && current.AsOf > m.OccurredAt ? current.AsOf : m.OccurredAt;
        session.Store(new ServiceCopy(m.ServiceId, m.BodyId, m.Name, m.Thematiques, capacity, asOf));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ServiceCapacityChanged> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<ServiceCopy>(m.ServiceId, context.CancellationToken);
        if (current is not null && current.AsOf >= m.OccurredAt) return;
        session.Store(current is null
            ? new ServiceCopy(m.ServiceId, m.BodyId, "", [], m.CapacityStatus, m.OccurredAt)
            : current with { CapacityStatus = m.CapacityStatus, AsOf = m.OccurredAt });
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
