using Consents.Api.Access;
using Consents.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace Consents.Api.Persons.GettingDetails;

/// <summary>
/// The person as Consents holds them. <see cref="MatchKey"/> is unique: one person per names and birth date. An erased
/// person keeps only ids, bodies, codes and dates (<see cref="Erased"/>); every route answers for them as for an unknown id.
/// </summary>
public sealed record PersonDetails(Guid Id, string GivenName, string FamilyName, string DisplayName, DateOnly BirthDate, string? Phone,
    string? Email, string MatchKey, ConsentCollection ConsentCollection, ConsentGiver ConsentGivenBy, LegalRepresentative? LegalRepresentative,
    Guid RegisteredByBodyId, Actor RegisteredBy, DateTimeOffset RegisteredAt, DateTimeOffset ActivationCodeExpiresAt)
{
    public long Version { get; init; }

    public bool Erased { get; init; }
}

public sealed class PersonDetailsProjection : SingleStreamProjection<PersonDetails, Guid>
{
    public static PersonDetails Create(IEvent<PersonRegistered> @event)
    {
        var e = @event.Data;
        // Masked names are all alike: an erased person's key is their id, so the unique index still holds and no
        // search or duplicate check ever finds them.
        var matchKey = e.Erased ? $"erased|{e.PersonId:N}" : PersonNames.MatchKey(e.FamilyName, e.GivenName, e.BirthDate);
        return new(e.PersonId, e.GivenName, e.FamilyName, e.DisplayName, e.BirthDate, e.Phone, e.Email, matchKey, e.Collection, e.GivenBy,
            e.LegalRepresentative, e.RegisteredByBodyId, e.RegisteredBy, e.RegisteredAt, DateTimeOffset.MinValue) { Erased = e.Erased };
    }

    public static PersonDetails Apply(ActivationCodeIssued e, PersonDetails person) => person with { ActivationCodeExpiresAt = e.ExpiresAt };
}

/// <summary>The person's identity, as the API shows it. The ETag is the person's version (for reissuing a code).</summary>
public sealed record PersonView(Guid Id, string GivenName, string FamilyName, string DisplayName, DateOnly BirthDate, string? Phone,
    string? Email, ConsentCollection ConsentCollection, ConsentGiver ConsentGivenBy, LegalRepresentative? LegalRepresentative,
    BodyRef RegisteredBy, string RegisteredByName, DateTimeOffset RegisteredAt, bool LoginActivated, DateTimeOffset? ActivationCodeExpiresAt,
    long Version)
{
    public static PersonView Of(PersonDetails p, IReadOnlyDictionary<Guid, BodyCopy> bodies, LoginCopy? login) =>
        new(p.Id, p.GivenName, p.FamilyName, p.DisplayName, p.BirthDate, p.Phone, p.Email, p.ConsentCollection, p.ConsentGivenBy,
            p.LegalRepresentative, BodyRef.Of(p.RegisteredByBodyId, bodies), p.RegisteredBy.Name, p.RegisteredAt, login is not null,
            login is null && p.ActivationCodeExpiresAt > DateTimeOffset.MinValue ? p.ActivationCodeExpiresAt : null, p.Version);

    public static async Task<PersonView> LoadAsync(IQuerySession session, PersonDetails person, CancellationToken ct)
    {
        var bodies = await BodyNames.LoadAsync(session, [person.RegisteredByBodyId], ct);
        var login = await session.LoadAsync<LoginCopy>(person.Id, ct);
        return Of(person, bodies, login);
    }
}

public static class GetPersonEndpoint
{
    public static RouteGroupBuilder MapGetPerson(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}", Handle)
            .WithName("getPerson")
            .WithSummary("Read a person's identity")
            .WithDescription("Category identity under DESIGN §4: the person, a professional of an involved body under an active grant, or a " +
                "companion the person allowed. Anyone else gets the 404 of an unknown id, and the attempt is in the person's access log. " +
                "The ETag is the person's version.")
            .Produces<PersonView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsync(id, Categories.Identity, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var view = await PersonView.LoadAsync(session, admission.Person, http.RequestAborted);
        await access.RecordReadAsync(admission, [Categories.Identity], [], http.RequestAborted);
        http.Response.SetETag(admission.Person.Version);
        return TypedResults.Ok(view);
    }
}
