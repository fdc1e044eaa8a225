using System.Text.Json;

namespace Consents.Api;

// Codes of the consent ledger. Enums travel as snake_case strings (the JSON options of every service), so a
// client sees "signed_form", never a number, and an unknown value is a 400 naming the field.

/// <summary>How a consent was collected.</summary>
public enum ConsentCollection
{
    InPerson,
    SignedForm,
    Online,
}

/// <summary>Who gave a consent: the person, or their legal representative (tutelle, curatelle).</summary>
public enum ConsentGiver
{
    Person,
    LegalRepresentative,
}

/// <summary>A protective measure (mesure de protection juridique) under which a representative acts.</summary>
public enum Mandate
{
    Tutelle,
    Curatelle,
}

/// <summary>Who asked for a revocation (the contract's RevokedBy).</summary>
public enum RevokedBy
{
    Person,
    ProfessionalOnRequest,
    LegalRepresentative,
}

/// <summary>How a companion (accompagnant) relates to the person.</summary>
public enum Relationship
{
    PeerWorker,
    Volunteer,
    Relative,
    Friend,
    Other,
}

public enum ConsentStatus
{
    Active,
    Expired,
    Revoked,
}

public enum CompanionStatus
{
    Active,
    Ended,
    Removed,
}

public static class Codes
{
    /// <summary>The code of an enum value as the contracts spell it (<c>ProfessionalOnRequest</c> → <c>professional_on_request</c>).</summary>
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

public static class Instants
{
    /// <summary>
    /// An instant at PostgreSQL's precision (microseconds). Ends that the database compares (a grant's
    /// <c>until</c>) are stored this way, so the database and the code agree on whether it has come.
    /// </summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset at) => new(at.Ticks - at.Ticks % 10, at.Offset);
}
