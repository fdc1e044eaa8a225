using Coordination.Secrecy.Gate.Copies;
using Directory.Contracts;
using Identity.Contracts;
using Marten;
using MassTransit;

namespace Consents.Api.Copies;

// Local copies of other services' facts, kept so that a request never calls another service. Each consumer
// merges its message into a document keyed by the message's natural id: a redelivery changes nothing and
// an older message never overwrites a newer copy.

/// <summary>A professional's membership of a body, as Directory published it.</summary>
public sealed record MemberCopy(Guid Id, Guid BodyId, string Email, string DisplayName, string Role, DateOnly? From, DateOnly? LeftOn,
    DateTimeOffset AsOf);

/// <summary>A professional's login, as Identity published it (person logins are never published this way).</summary>
public sealed record UserCopy(string Id, string Email, string DisplayName, DateTimeOffset AsOf);

/// <summary>A person who turned their activation code into a login.</summary>
public sealed record LoginCopy(Guid Id, string Subject, DateTimeOffset ActivatedAt);

public sealed class MemberCopyConsumer(IDocumentSession session) : IConsumer<MemberJoined>, IConsumer<MemberLeft>
{
    public async Task Consume(ConsumeContext<MemberJoined> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<MemberCopy>(m.MemberId, context.CancellationToken);
        if (current is not null && current.AsOf >= m.OccurredAt) return;
        session.Store(new MemberCopy(m.MemberId, m.BodyId, m.Email, m.DisplayName, m.Role, m.From, current?.LeftOn, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<MemberLeft> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<MemberCopy>(m.MemberId, context.CancellationToken);
        if (current?.LeftOn is not null) return;
        // A departure that arrives before the arrival is kept; the arrival then fills in the rest.
        session.Store(current is null
            ? new MemberCopy(m.MemberId, m.BodyId, m.Email, "", "", null, m.On, DateTimeOffset.MinValue)
            : current with { LeftOn = m.On });
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class UserCopyConsumer(IDocumentSession session) : IConsumer<UserRegistered>
{
    public async Task Consume(ConsumeContext<UserRegistered> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<UserCopy>(m.Subject, context.CancellationToken);
        if (current is not null && current.AsOf >= m.OccurredAt) return;
        session.Store(new UserCopy(m.Subject, m.Email, m.DisplayName, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>
/// Marks the person as having activated their login. A copy keyed by person rather than an event on the
/// person's stream: the activation may arrive before the registration is visible here (demo seeds start
/// in any order), and the first activation is the one the person's record shows.
/// </summary>
public sealed class PersonLoginActivatedConsumer(IDocumentSession session, ILogger<PersonLoginActivatedConsumer> logger)
    : IConsumer<PersonLoginActivated>
{
    public async Task Consume(ConsumeContext<PersonLoginActivated> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<LoginCopy>(m.PersonId, context.CancellationToken);
        if (current is not null && current.ActivatedAt <= m.OccurredAt) return;
        session.Store(new LoginCopy(m.PersonId, m.Subject, m.OccurredAt));
        await session.SaveChangesAsync(context.CancellationToken);
        logger.LogInformation("Login activated for person {PersonId}", m.PersonId);
    }
}

public static class BodyNames
{
    /// <summary>The names of the given bodies as the local copy knows them (a body not yet copied has no name).</summary>
    public static async Task<IReadOnlyDictionary<Guid, BodyCopy>> LoadAsync(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToArray();
        if (distinct.Length == 0) return new Dictionary<Guid, BodyCopy>();
        var bodies = await session.LoadManyAsync<BodyCopy>(ct, distinct);
        return bodies.ToDictionary(b => b.Id);
    }
}
