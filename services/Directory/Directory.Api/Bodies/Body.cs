namespace Directory.Api.Bodies;

// A body (organisme): a CAF, a CCAS, a France services, an association… Its stream holds these events.

public sealed record Address(string? Line, string? PostalCode, string? CommuneInsee, string? Commune);

public sealed record BodyRegistered(Guid BodyId, string Name, string Kind, Address Address, string[] TerritoryCodes,
    bool Sensitive, string RegisteredBy);

/// <summary>The write-side state of a body: only what its decisions need.</summary>
public sealed record Body(Guid Id, string Name, string Kind, bool Sensitive)
{
    public static Body Create(BodyRegistered e) => new(e.BodyId, e.Name, e.Kind, e.Sensitive);
}
