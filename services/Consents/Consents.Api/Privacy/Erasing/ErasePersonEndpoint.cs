using Consents.Api.Access;
using Consents.Api.Persons.GettingDetails;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Consents.Api.Privacy.Erasing;

/// <summary>An erasure as the API shows it: who asked, when, the written request's reference, and what it ended.</summary>
public sealed record ErasureView(Guid PersonId, DateTimeOffset ErasedAt, ErasureRequester RequestedBy, string? Reference, int ConsentsRevoked,
    int CompanionsRemoved)
{
    public static ErasureView Of(Erasure e) => new(e.PersonId, e.At, e.RequestedBy, e.Reference, e.ConsentsRevoked, e.CompanionsRemoved);

    public static ErasureView Of(PersonErased e) => new(e.PersonId, e.At, e.RequestedBy, e.Reference, e.ConsentsRevoked, e.CompanionsRemoved);
}

public static class ErasePersonEndpoint
{
    public static RouteGroupBuilder MapErasePerson(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/erasure", Erase)
            .AcceptsIdempotencyKey()
            .WithName("erasePerson")
            .WithSummary("Erase a person (right to erasure)")
            .WithDescription("The person themself, or an administrator on the person's written request (reference required), erases " +
                "everything about the person in every service: names, birth date, contact details, legal representative, reasons, " +
                "notes, companions' names and contact details are masked; ids, bodies, categories, purposes, codes and dates remain, so " +
                "the consent ledger keeps its proof and statistics their counts. Active consents are revoked and active companions " +
                "removed; the person's login is disabled. 202 with the erasure the first time (the other services erase on receiving " +
                "PersonErased), 200 with the same erasure afterwards: erasing twice changes nothing. Professionals and partner systems " +
                "get 403; a person naming someone else, 404. Accepts an Idempotency-Key header.")
            .Produces<ErasureView>(StatusCodes.Status202Accepted)
            .Produces<ErasureView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/persons/{id:guid}/erasure", Get)
            .WithName("getErasure")
            .WithSummary("Read a person's erasure")
            .WithDescription("Who asked for the erasure, when, the written request's reference, and how many consents and companions " +
                "it ended. The person and administrators; 404 while the person is not erased.")
            .Produces<ErasureView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The route is open to persons and administrators (a policy); a person may erase only themself.</summary>
    private static ErasureRequester? RequesterOf(Caller caller, Guid personId) =>
        caller.IsAdmin ? ErasureRequester.AdminOnWrittenRequest
        : caller.IsPerson && caller.PersonId == personId ? ErasureRequester.Person
        : null;

    private static async Task<IResult> Erase(Guid id, ErasePersonRequest? request, Caller caller, IDocumentSession session, PersonEraser eraser,
        TimeProvider time, ILoggerFactory loggers, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (RequesterOf(caller, id) is not { } requester) return Problems.NotFound();
        request ??= new ErasePersonRequest();
        var errors = ErasePersonDecider.Validate(request, requester);
        if (errors.Count > 0) return Problems.Invalid(errors);

        if (await session.LoadAsync<PersonDetails>(id, ct) is null) return Problems.NotFound();
        if (await session.Events.AggregateStreamAsync<Erasure>(ErasureIds.Of(id), token: ct) is { } done) return TypedResults.Ok(ErasureView.Of(done));

        var command = new ErasePerson(id, requester, request.Reference, Actor.Of(caller), time.GetUtcNow());
        if (await PersonEraser.RecordAsync(session, command, ct) is not { } events)
        {
            return TypedResults.Ok(ErasureView.Of((await session.Events.AggregateStreamAsync<Erasure>(ErasureIds.Of(id), token: ct))!));
        }
        var location = $"/persons/{id}/erasure";
        var view = ErasureView.Of(events.Erased);
        session.RememberAnswer(http, StatusCodes.Status202Accepted, location, view);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
        {
            // Erased by a concurrent request: the same erasure, once.
            await using var query = session.DocumentStore.QuerySession();
            return TypedResults.Ok(ErasureView.Of((await query.Events.AggregateStreamAsync<Erasure>(ErasureIds.Of(id), token: ct))!));
        }

        var logger = loggers.CreateLogger(typeof(ErasePersonEndpoint));
        logger.LogInformation("Person {PersonId} erasure recorded ({RequestedBy}): {Consents} consents revoked, {Companions} companions removed",
            id, Codes.Of(requester), events.Revocations.Count, events.Removals.Count);
        try
        {
            // Consents' own masking runs at once; should it fail, the erasure is recorded and the retention job completes it.
            await eraser.CompleteAsync(id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Masking person {PersonId} in Consents failed; the retention job completes it", id);
        }
        return TypedResults.Accepted(location, view);
    }

    private static async Task<IResult> Get(Guid id, Caller caller, IDocumentSession session, PersonAccess access, HttpContext http)
    {
        var ct = http.RequestAborted;
        var erasure = RequesterOf(caller, id) is null ? null : await session.Events.AggregateStreamAsync<Erasure>(ErasureIds.Of(id), token: ct);
        if (erasure is not null) return TypedResults.Ok(ErasureView.Of(erasure));
        // Someone else than the person asking about a registered person is an attempt on their record: in their access log.
        var isSelf = caller.IsPerson && caller.PersonId == id;
        if (!isSelf && await session.LoadAsync<PersonDetails>(id, ct) is { Erased: false }) return await access.RefuseAsync(id, [], ct);
        return Problems.NotFound();
    }
}
