namespace Directory.Api.Bodies;

// A body (organisme): a CAF, a CCAS, a France services, an association… Its stream holds these events,
// including the designation of its partner contact (interlocuteur privilégié).

public sealed record Address(string? Line, string? PostalCode, string? CommuneInsee, string? Commune, string? Complement = null);

/// <summary>The data·inclusion record a body or service was imported from (<c>source</c> and <c>id</c>).</summary>
public sealed record SourceRecord(string Source, string Id);

/// <summary>Everything a body says about itself; registering and updating both carry the whole of it.</summary>
public sealed record BodyProfile(string Name, string Kind, Address Address, string[] TerritoryCodes, bool Sensitive,
    string? Siret = null, string? Phone = null, string? Email = null, string? Website = null, string? OpeningHours = null,
    string? Description = null);

// The first five fields predate the profile; the others were added as optional members so that streams
// written before them still read.
public sealed record BodyRegistered(Guid BodyId, string Name, string Kind, Address Address, string[] TerritoryCodes,
    bool Sensitive, string RegisteredBy, string? Siret = null, string? Phone = null, string? Email = null,
    string? Website = null, string? OpeningHours = null, string? Description = null, SourceRecord? Origin = null)
{
    public static BodyRegistered From(Guid bodyId, BodyProfile p, string registeredBy, SourceRecord? origin = null) =>
        new(bodyId, p.Name, p.Kind, p.Address, p.TerritoryCodes, p.Sensitive, registeredBy, p.Siret, p.Phone, p.Email,
            p.Website, p.OpeningHours, p.Description, origin);

    public BodyProfile Profile => new(Name, Kind, Address, TerritoryCodes, Sensitive, Siret, Phone, Email, Website, OpeningHours, Description);
}

public sealed record BodyUpdated(Guid BodyId, BodyProfile Profile, string UpdatedBy);

public sealed record PartnerContactDesignated(Guid BodyId, Guid MemberId, string DesignatedBy);

/// <summary>Reasons: <c>handover</c>, <c>other</c> (given by whoever designates the next one), <c>member_left</c>.</summary>
public sealed record PartnerContactEnded(Guid BodyId, Guid MemberId, string Reason, string EndedBy);

/// <summary>The write-side state of a body: only what its decisions need.</summary>
public sealed record Body(Guid Id, BodyProfile Profile, SourceRecord? Origin, Guid? PartnerContact)
{
    public static Body Create(BodyRegistered e) => new(e.BodyId, e.Profile, e.Origin, null);

    public Body Apply(BodyUpdated e) => this with { Profile = e.Profile };

    public Body Apply(PartnerContactDesignated e) => this with { PartnerContact = e.MemberId };

    public Body Apply(PartnerContactEnded e) => PartnerContact == e.MemberId ? this with { PartnerContact = null } : this;
}
