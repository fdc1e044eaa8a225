using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Referrals.Api.Accompaniments.Logging;

/// <param name="Kind">accompanied_to_appointment, helped_online_procedure, phone_call, home_visit or other.</param>
/// <param name="On">The day it happened (not in the future, at most a year ago).</param>
/// <param name="BodyId">The body visited, if any.</param>
/// <param name="Note">At most 500 characters.</param>
public sealed record LogAccompanimentRequest(AccompanimentKind? Kind, DateOnly? On, Guid? BodyId = null, string? Note = null);

public sealed record AccompanimentCreated(Guid Id, long Version);

public sealed record LogAccompaniment(Guid AccompanimentId, Guid PersonId, AccompanimentAuthor Author, AccompanimentKind Kind, DateOnly On,
    Guid? BodyId, string? BodyName, string? Note, DateTimeOffset At);

public static class LogAccompanimentDecider
{
    public static Dictionary<string, string[]> Validate(LogAccompanimentRequest r, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Kind is null) errors["kind"] = ["Required."];
        if (r.On is not { } on) errors["on"] = ["Required."];
        else if (on > today || on < today.AddDays(-AccompanimentDecider.OldestDays)) errors["on"] = [$"Not in the future, at most {AccompanimentDecider.OldestDays} days ago."];
        if (r.BodyId == Guid.Empty) errors["bodyId"] = ["A body id, or nothing."];
        if (r.Note is { Length: > AccompanimentDecider.NoteMaxLength }) errors["note"] = [$"At most {AccompanimentDecider.NoteMaxLength} characters."];
        return errors;
    }

    /// <summary>
    /// Who may log (DESIGN §4): a professional of a body involved with the person, or the person's active
    /// companion (by their login). Null when the caller is neither.
    /// </summary>
    public static AccompanimentAuthor? AuthorOf(Caller caller, PersonFacts facts, DateTimeOffset now)
    {
        var name = caller.DisplayName ?? caller.Subject;
        if (caller.IsProfessional && SecrecyRules.IsInvolved(facts, caller.BodyId!.Value)) return new AccompanimentAuthor(caller.Subject, name, caller.BodyId, null);
        var companion = facts.Companions.FirstOrDefault(c => c.UserSubject is not null && c.UserSubject == caller.Subject && c.IsActiveAt(now));
        return companion is null ? null : new AccompanimentAuthor(caller.Subject, name, null, companion.CompanionId);
    }

    public static Decided Decide(LogAccompaniment c) => Decided.Accept(
        new AccompanimentLogged(c.AccompanimentId, c.PersonId, c.Author, c.Kind, c.On, c.BodyId, c.BodyName, c.Note, c.At));
}

public static class LogAccompanimentEndpoint
{
    public static RouteGroupBuilder MapLogAccompaniment(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{personId:guid}/accompaniments", Handle)
            .AcceptsIdempotencyKey()
            .WithName("logAccompaniment")
            .WithSummary("Log an accompaniment of a person")
            .WithDescription("The person's companion (by their login) or a professional of a body involved with the person records " +
                "what they did with them: kind (accompanied_to_appointment, helped_online_procedure, phone_call, home_visit, other), " +
                "date, body visited and a note of at most 500 characters. Anyone else gets 404, as for an unknown person; the person " +
                "themself does not log (403) but may hide an entry. Accepts an Idempotency-Key header.")
            .Produces<AccompanimentCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, LogAccompanimentRequest request, SecrecyGate gate, IDocumentSession session,
        TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        var caller = gate.Caller;
        if (caller.IsPerson && caller.PersonId == personId) return Problems.Forbidden("Companions and involved bodies log accompaniments; the person may hide them.");
        var errors = LogAccompanimentDecider.Validate(request, time.Today());
        BodyCopy? visited = null;
        if (errors.Count == 0 && request.BodyId is { } bodyId)
        {
            visited = await session.LoadAsync<BodyCopy>(bodyId, ct);
            if (visited is null) errors["bodyId"] = ["No body with this id in the directory."];
        }
        if (errors.Count > 0) return Problems.Invalid(errors);

        var now = time.GetUtcNow();
        var facts = await gate.FactsAsync(personId, ct);
        if (LogAccompanimentDecider.AuthorOf(caller, facts, now) is not { } author) return Problems.NotFound();

        var id = Guid.CreateVersion7();
        var decided = LogAccompanimentDecider.Decide(new LogAccompaniment(id, personId, author, request.Kind!.Value, request.On!.Value, visited?.Id,
            visited?.Name, string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), now));
        session.Events.StartStream<Accompaniment>(id, [.. decided.Events]);
        return await session.CreatedAsync(http, $"/persons/{personId}/accompaniments/{id}", new AccompanimentCreated(id, 1), version: 1);
    }
}
