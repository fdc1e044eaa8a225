using System.Security.Claims;

namespace Coordination.ServiceDefaults.Security;

/// <summary>Who is calling, as the access token says: one of a professional, a person, an admin or a partner system.</summary>
public sealed record Caller(string Subject, string Role, string? DisplayName, Guid? BodyId, Guid? PersonId)
{
    public bool IsAdmin => Role == Roles.Admin;
    public bool IsPerson => Role == Roles.Person;
    public bool IsPartnerSystem => Role == Roles.PartnerSystem;
    public bool IsProfessional => BodyId is not null && Roles.Professional.Contains(Role);

    public bool IsAuthenticated => Subject.Length > 0;

    /// <summary>
    /// The caller of a request. Authorization policies also run for requests without a token, so an absent
    /// subject gives an anonymous caller (empty subject, no role) rather than an exception.
    /// </summary>
    public static Caller From(ClaimsPrincipal user)
    {
        var subject = user.FindFirst(ClaimNames.Subject)?.Value ?? "";
        var role = user.FindFirst(ClaimNames.Role)?.Value ?? "";
        return new Caller(subject, role, user.FindFirst(ClaimNames.Name)?.Value,
            Guid.TryParse(user.FindFirst(ClaimNames.BodyId)?.Value, out var body) ? body : null,
            Guid.TryParse(user.FindFirst(ClaimNames.PersonId)?.Value, out var person) ? person : null);
    }
}

public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string Name = "name";
    public const string BodyId = "body_id";
    public const string PersonId = "person_id";
}

/// <summary>Roles as tokens carry them: body roles come from Directory memberships, the others from Identity.</summary>
public static class Roles
{
    public const string SocialWorker = "social_worker";
    public const string Coordinator = "coordinator";
    public const string FranceServicesAdviser = "france_services_adviser";
    public const string MairieSecretary = "mairie_secretary";
    public const string PeerWorker = "peer_worker";
    public const string Volunteer = "volunteer";
    public const string Admin = "admin";
    public const string Person = "person";
    public const string PartnerSystem = "partner_system";

    public static readonly IReadOnlySet<string> Professional = new HashSet<string>(StringComparer.Ordinal)
    {
        SocialWorker, Coordinator, FranceServicesAdviser, MairieSecretary, PeerWorker, Volunteer,
    };
}
