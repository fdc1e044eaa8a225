using System.Globalization;
using Consents.Api.Access;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Persons.Searching;

/// <summary>A search hit: the id and display name, nothing more.</summary>
public sealed record PersonHit(Guid Id, string DisplayName);

public static class SearchPersonsDecider
{
    /// <summary>All three are required; a missing or malformed one is named.</summary>
    public static Dictionary<string, string[]> Validate(string? familyName, string? givenName, string? birthDate, out DateOnly birth)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(familyName)) errors["familyName"] = ["Required."];
        if (string.IsNullOrWhiteSpace(givenName)) errors["givenName"] = ["Required."];
        birth = default;
        if (string.IsNullOrWhiteSpace(birthDate)) errors["birthDate"] = ["Required (yyyy-MM-dd)."];
        else if (!DateOnly.TryParseExact(birthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birth))
        {
            errors["birthDate"] = ["A date as yyyy-MM-dd."];
        }
        return errors;
    }
}

public static class SearchPersonsEndpoint
{
    public static RouteGroupBuilder MapSearchPersons(this RouteGroupBuilder group)
    {
        group.MapGet("/persons", Handle)
            .WithName("searchPersons")
            .WithSummary("Find a person by family name, given name and birth date")
            .WithDescription("Exact match after folding accents, case and spaces; all three parameters are required. Returns only persons " +
                "who granted your body an active consent including identity — id and display name, nothing else — and each hit is in that " +
                "person's access log (so is a match your body may not see).")
            .Produces<IReadOnlyList<PersonHit>>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? familyName, string? givenName, string? birthDate, PersonAccess access,
        IDocumentSession session, HttpContext http)
    {
        if (!access.Caller.IsProfessional) return Problems.Forbidden("Only a professional of a body searches for persons.");
        var errors = SearchPersonsDecider.Validate(familyName, givenName, birthDate, out var birth);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var key = PersonNames.MatchKey(familyName!, givenName!, birth);
        var matches = await session.Query<PersonDetails>().Where(p => p.MatchKey == key).ToListAsync(http.RequestAborted);
        var hits = new List<PersonHit>();
        foreach (var person in matches)
        {
            var facts = await access.Gate.FactsAsync(person.Id, http.RequestAborted);
            var decision = SecrecyRules.DecideSearchHit(access.Gate.Reader, facts, access.Now);
            if (decision.Allowed)
            {
                access.Gate.RecordRead(person.Id, [Categories.Identity], [], decision.Basis, decision.ConsentId);
                hits.Add(new PersonHit(person.Id, person.DisplayName));
            }
            else
            {
                access.Gate.RecordDenied(person.Id, [Categories.Identity]);
            }
        }
        if (matches.Count > 0) await access.CommitAsync(http.RequestAborted);
        return TypedResults.Ok(hits);
    }
}
