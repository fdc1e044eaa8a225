using Microsoft.IdentityModel.JsonWebTokens;

namespace Security.Tests;

/// <summary>
/// Someone who calls the services, as their access token says (role, body, person, subject are read from
/// the token itself, not assumed). <see cref="Token"/> is null for the anonymous caller.
/// </summary>
public sealed record Actor(string Name, string Description, string? Token, string Role, Guid? BodyId, Guid? PersonId, string? Subject)
{
    public static readonly IReadOnlySet<string> ProfessionalRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        "social_worker", "coordinator", "france_services_adviser", "mairie_secretary", "peer_worker", "volunteer",
    };

    public bool IsAnonymous => Token is null;

    public bool IsProfessional => BodyId is not null && ProfessionalRoles.Contains(Role);

    public bool IsPerson => Role == "person" && PersonId is not null;

    public bool IsAdmin => Role == "admin";

    public bool IsPartnerSystem => Role == "partner_system";

    public static Actor Anonymous() => new("anonymous", "no token", null, "", null, null, null);

    public static Actor FromToken(string name, string description, string token)
    {
        var jwt = new JsonWebTokenHandler().ReadJsonWebToken(token);
        string? Claim(string type) => jwt.TryGetClaim(type, out var c) ? c.Value : null;
        return new Actor(name, description, token, Claim("role") ?? "", Guid.TryParse(Claim("body_id"), out var b) ? b : null,
            Guid.TryParse(Claim("person_id"), out var p) ? p : null, Claim("sub"));
    }

    public override string ToString() => Name;
}

// ---- What the scenario did, as plain facts: the oracle decides from these, never from the services' own code ----

/// <summary>A consent as the scenario gave it: body × categories × purpose (all active for the whole run).</summary>
public sealed record GrantFact(Guid ConsentId, Guid BodyId, IReadOnlySet<string> Categories, string Purpose);

/// <summary>Why a body is involved (DESIGN §4: registration, referral sent or received, booking, contact person).</summary>
public sealed record InvolvementFact(Guid BodyId, Coordination.Secrecy.InvolvementKind Kind, Guid? ItemId);

/// <summary>A companion the person chose: a platform user (subject) or a named person (no subject), and what they may see.</summary>
public sealed record CompanionFact(Guid CompanionId, string? Subject, IReadOnlySet<string> Categories);

public enum ItemKind { Referral, Appointment, Consent, Companion, ContactPerson, Accompaniment }

/// <summary>
/// A piece of the person's data tied to bodies: the bodies concerned (a referral's two ends, an appointment's host
/// and booker, the body of a grant or a contact person) and the body it is at (the target, which may be sensitive).
/// </summary>
public sealed record ItemFact(Guid Id, ItemKind Kind, IReadOnlySet<Guid> Concerned, Guid Target);

public sealed record PersonFacts(Guid PersonId, IReadOnlyList<GrantFact> Grants, IReadOnlyList<InvolvementFact> Involvements,
    IReadOnlyList<CompanionFact> Companions, IReadOnlySet<Guid> SensitiveBodies, IReadOnlyList<ItemFact> Items)
{
    public ItemFact Item(Guid id) => Items.Single(i => i.Id == id);
}

/// <summary>
/// A string planted in (or inherent to) one person's data, and what it belongs to. A response that carries it to a
/// caller the oracle does not allow is a leak. Markers are random tokens, so they cannot appear by chance.
/// </summary>
/// <param name="Category">A DESIGN §4 category, or <see cref="Markers.Person"/> (the person's id: anything of them),
/// <see cref="Markers.Ledger"/> (an entry of the consent ledger), <see cref="Markers.Relationship"/> (the person's tie to
/// a sensitive body).</param>
/// <param name="Item">The item the data belongs to, when it is tied to bodies.</param>
/// <param name="DisplayName">Part of the display name, which the exact-match search may return (§4 exception).</param>
/// <param name="StubField">A date or status a party body keeps in its stub after revocation (§4).</param>
/// <param name="DirectoryData">Also public directory data (a member's name, a body's name): not a leak in Directory.</param>
public sealed record Marker(string Token, string Category, Guid? Item = null, bool DisplayName = false, bool StubField = false,
    bool DirectoryData = false, string Description = "");

public static class Markers
{
    public const string Person = "person";
    public const string Ledger = "ledger";
    public const string Relationship = "relationship";
}

/// <summary>A person whose data the matrix reads: their facts, their markers and their login.</summary>
public sealed record Target(string Name, Guid PersonId, PersonFacts Facts, IReadOnlyList<Marker> Markers, string FamilyName,
    string GivenName, string BirthDate);

/// <summary>
/// One way to fill the path parameters of the routes: each key is the collection a parameter follows
/// (<c>/persons/{id}</c> → persons, <c>/referrals/{id}</c> → referrals, <c>/contact-persons/{bodyId}</c> → contact-persons).
/// Person-level keys hold ids of <see cref="Person"/>'s data; the others are directory data (bodies, places, members…).
/// </summary>
public sealed record Context(string Name, Target? Person, IReadOnlyDictionary<string, Guid> Ids)
{
    /// <summary>Collections whose ids are a person's data (DESIGN §4 applies to them).</summary>
    public static readonly IReadOnlySet<string> PersonLevel = new HashSet<string>(StringComparer.Ordinal)
    {
        "persons", "referrals", "appointments", "consents", "companions", "accompaniments", "exports",
    };

    /// <summary>Collections of directory and configuration data: bodies and what hangs off them.</summary>
    public static readonly IReadOnlySet<string> BodyLevel = new HashSet<string>(StringComparer.Ordinal)
    {
        "bodies", "contact-persons", "members", "places", "services", "opening-schedules", "webhook-endpoints",
    };
}
