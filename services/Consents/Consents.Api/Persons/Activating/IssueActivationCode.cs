using Consents.Api.Access;
using Consents.Api.Persons.GettingDetails;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Persons.Activating;

/// <summary>A new code, shown once. The previous one is void from now on.</summary>
public sealed record ActivationCodeView(Guid PersonId, string ActivationCode, DateTimeOffset ExpiresAt);

public sealed record IssueActivationCode(Guid PersonId, string Code, Actor By, DateTimeOffset Now);

public static class IssueActivationCodeDecider
{
    /// <summary>
    /// Any number of times, also after the login was activated: at Identity a new code lets the person choose
    /// a new password (the usual way back for someone with no e-mail address).
    /// </summary>
    public static ActivationCodeIssued Decide(Person person, IssueActivationCode command) =>
        ActivationCodes.Issue(person.Id, command.Code, command.Now, command.By);
}

public static class IssueActivationCodeEndpoint
{
    public static RouteGroupBuilder MapIssueActivationCode(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/activation-code", Handle)
            .RequireIfMatch()
            .WithName("issueActivationCode")
            .WithSummary("Issue a new activation code")
            .WithDescription("A professional of the body that registered the person gives them a new code (10 characters, valid 30 days, " +
                "shown once); the previous code is void. Requires If-Match with the person's ETag.")
            .Produces<ActivationCodeView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var caller = access.Caller;
        if (access.IsSelf(id)) return Problems.Forbidden("The body that registered you issues activation codes.");
        var person = await session.LoadAsync<PersonDetails>(id, http.RequestAborted);
        if (person is null or { Erased: true }) return Problems.NotFound();
        if (!caller.IsProfessional || caller.BodyId != person.RegisteredByBodyId) return await access.RefuseAsync(id, [], http.RequestAborted);

        var stream = await session.Events.FetchForWriting<Person>(id, http.ExpectedVersion(), http.RequestAborted);
        var code = ActivationCodes.New();
        var issued = IssueActivationCodeDecider.Decide(stream.Aggregate!, new IssueActivationCode(id, code, Actor.Of(caller), access.Now));
        stream.AppendOne(issued);
        return await session.UpdatedAsync(http, http.ExpectedVersion() + 1, new ActivationCodeView(id, code, issued.ExpiresAt));
    }
}
