using Consents.Api.Access;
using Coordination.Secrecy.Gate.Copies;

namespace Consents.Api;

// Shapes shared by several answers.

/// <summary>A body by id, with its name as the local directory copy knows it.</summary>
public sealed record BodyRef(Guid Id, string? Name)
{
    public static BodyRef Of(Guid id, IReadOnlyDictionary<Guid, BodyCopy> bodies) => new(id, bodies.TryGetValue(id, out var b) ? b.Name : null);
}

/// <summary>Who recorded something: name, role and body, as their token said at the time.</summary>
public sealed record ActorView(string Name, string Role, BodyRef? Body)
{
    public static ActorView Of(Actor actor, IReadOnlyDictionary<Guid, BodyCopy> bodies) =>
        new(actor.Name, actor.Role, actor.BodyId is { } body ? BodyRef.Of(body, bodies) : null);
}
