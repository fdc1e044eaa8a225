using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Consents.Api.Access;
using Consents.Api.Companions;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents;
using Consents.Api.Consents.Listing;

namespace Consents.Api.Privacy.Erasing;

// The erasure of a person (GDPR art. 17): its own stream, keyed by the person, so that it happens once whatever asks
// for it again. The event names who asked and, for an administrator, the reference of the person's written request.

/// <summary>Who asked for the erasure: the person (their token), an administrator on the person's written request, or the retention limit.</summary>
public enum ErasureRequester
{
    Person,
    AdminOnWrittenRequest,
    Retention,
}

/// <param name="Reference">The reference of the written request (a registered letter's number…), never its content.</param>
public sealed record PersonErased(Guid PersonId, ErasureRequester RequestedBy, string? Reference, Actor RecordedBy, int ConsentsRevoked,
    int CompanionsRemoved, DateTimeOffset At);

public sealed record Erasure(Guid Id, Guid PersonId, ErasureRequester RequestedBy, string? Reference, int ConsentsRevoked, int CompanionsRemoved,
    DateTimeOffset At)
{
    public static Erasure Create(PersonErased e) =>
        new(ErasureIds.Of(e.PersonId), e.PersonId, e.RequestedBy, e.Reference, e.ConsentsRevoked, e.CompanionsRemoved, e.At);
}

public static class ErasureIds
{
    /// <summary>A name-based id (RFC 9562 version 8, from SHA-256): one erasure stream per person.</summary>
    public static Guid Of(Guid personId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"coordination/consents/erasure/{personId:N}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}

public sealed record ErasePersonRequest([property: StringLength(ErasePersonDecider.ReferenceMaxLength)] string? Reference = null);

public sealed record ErasePerson(Guid PersonId, ErasureRequester RequestedBy, string? Reference, Actor By, DateTimeOffset Now);

/// <summary>The events of one erasure: the erasure itself, and the end of every grant and companion still active.</summary>
public sealed record ErasureEvents(PersonErased Erased, IReadOnlyList<ConsentRevoked> Revocations, IReadOnlyList<CompanionRemoved> Removals);

public static class ErasePersonDecider
{
    public const int ReferenceMaxLength = 100;

    /// <summary>An administrator acts on a written request and records its reference; the person needs none.</summary>
    public static Dictionary<string, string[]> Validate(ErasePersonRequest request, ErasureRequester requester)
    {
        var errors = new Dictionary<string, string[]>();
        Annotations.Validate(request, "", errors);
        if (requester == ErasureRequester.AdminOnWrittenRequest && string.IsNullOrWhiteSpace(request.Reference))
        {
            errors["reference"] = ["Required: the reference of the person's written request."];
        }
        return errors;
    }

    /// <summary>
    /// The person's grants that are still active end now, revoked at the person's request (the erasure is theirs, even
    /// when an administrator records it); their active companions are removed. Both travel as the usual contracts, so
    /// every service stops sharing before it even receives PersonErased.
    /// </summary>
    public static ErasureEvents Decide(ErasePerson command, IEnumerable<ConsentDetails> consents, IEnumerable<CompanionDetails> companions)
    {
        var revocations = consents
            .Where(c => c.PersonId == command.PersonId && c.StatusAt(command.Now) == ConsentStatus.Active)
            .Select(c => new ConsentRevoked(c.Id, c.PersonId, c.BodyId, RevokedBy.Person, null, command.By, command.Now))
            .ToList();
        var removals = companions
            .Where(c => c.PersonId == command.PersonId && CompanionStates.StatusAt(c.RemovedAt, c.ValidUntil, command.Now) == CompanionStatus.Active)
            .Select(c => new CompanionRemoved(c.Id, c.PersonId, command.By, command.Now))
            .ToList();
        var reference = string.IsNullOrWhiteSpace(command.Reference) ? null : command.Reference.Trim();
        return new ErasureEvents(
            new PersonErased(command.PersonId, command.RequestedBy, reference, command.By, revocations.Count, removals.Count, command.Now),
            revocations, removals);
    }
}
