using Consents.Api.Access;

namespace Consents.Api.Persons;

// A person (the data subject) and their activation codes. The stream holds these events.

public sealed record LegalRepresentative(string Name, Mandate Mandate, string MandateReference);

/// <summary>
/// Registration by a professional. Only <see cref="DisplayName"/>, the body and the subject travel in the
/// contract; names, birth date and contact details stay in Consents. <see cref="Erased"/> is set by the masking rule
/// when the person is erased: the masked event says so itself, and projections rebuilt from it know.
/// </summary>
public sealed record PersonRegistered(Guid PersonId, string GivenName, string FamilyName, DateOnly BirthDate, string? Phone, string? Email,
    string DisplayName, ConsentCollection Collection, ConsentGiver GivenBy, LegalRepresentative? LegalRepresentative,
    Guid RegisteredByBodyId, Actor RegisteredBy, DateTimeOffset RegisteredAt, bool Erased = false);

/// <summary>A new activation code: only its SHA-256 is kept; the previous code is void.</summary>
public sealed record ActivationCodeIssued(Guid PersonId, string CodeSha256, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, Actor IssuedBy);

/// <summary>The write-side state of a person: only what decisions need.</summary>
public sealed record Person(Guid Id, Guid RegisteredByBodyId, bool HasLegalRepresentative, DateTimeOffset ActivationCodeExpiresAt)
{
    public static Person Create(PersonRegistered e) => new(e.PersonId, e.RegisteredByBodyId, e.LegalRepresentative is not null, DateTimeOffset.MinValue);

    public Person Apply(ActivationCodeIssued e) => this with { ActivationCodeExpiresAt = e.ExpiresAt };
}
