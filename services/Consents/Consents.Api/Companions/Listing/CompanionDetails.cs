using Consents.Api.Access;
using Consents.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;
using Marten.Events.Aggregation;

namespace Consents.Api.Companions.Listing;

public sealed record CompanionDetails(Guid Id, Guid PersonId, string? UserSubject, string DisplayName, Relationship Relationship,
    bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil, string? Phone, string? Email,
    Actor ChosenBy, DateTimeOffset ChosenAt, Actor? RemovedBy, DateTimeOffset? RemovedAt)
{
    public long Version { get; init; }
}

public sealed class CompanionDetailsProjection : SingleStreamProjection<CompanionDetails, Guid>
{
    public static CompanionDetails Create(CompanionChosen e) =>
        new(e.CompanionId, e.PersonId, e.UserSubject, e.DisplayName, e.Relationship, e.AttendsAppointments, e.ReceivesNotifications,
            e.Categories, e.ValidUntil, e.Phone, e.Email, e.ChosenBy, e.ChosenAt, null, null);

    public static CompanionDetails Apply(CompanionRemoved e, CompanionDetails c) => c with { RemovedBy = e.RemovedBy, RemovedAt = e.RemovedAt };
}

/// <summary>
/// A companion as the API shows it. <see cref="ReceivesNotifications"/> is recorded and published; this
/// version sends no message. <see cref="Version"/> goes back in If-Match to remove the companion.
/// </summary>
public sealed record CompanionView(Guid Id, Guid PersonId, string? UserSubject, string DisplayName, Relationship Relationship,
    bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil, string? Phone, string? Email,
    CompanionStatus Status, DateTimeOffset ChosenAt, ActorView ChosenBy, DateTimeOffset? RemovedAt, ActorView? RemovedBy, long Version)
{
    public static CompanionView Of(CompanionDetails c, IReadOnlyDictionary<Guid, BodyCopy> bodies, DateTimeOffset now) =>
        new(c.Id, c.PersonId, c.UserSubject, c.DisplayName, c.Relationship, c.AttendsAppointments, c.ReceivesNotifications, c.Categories,
            c.ValidUntil, c.Phone, c.Email, CompanionStates.StatusAt(c.RemovedAt, c.ValidUntil, now), c.ChosenAt, ActorView.Of(c.ChosenBy, bodies),
            c.RemovedAt, c.RemovedBy is { } by ? ActorView.Of(by, bodies) : null, c.Version);

    public static async Task<IReadOnlyList<CompanionView>> LoadAsync(IQuerySession session, IReadOnlyList<CompanionDetails> companions,
        DateTimeOffset now, CancellationToken ct)
    {
        var bodies = await BodyNames.LoadAsync(session,
            companions.SelectMany(c => new[] { c.ChosenBy.BodyId, c.RemovedBy?.BodyId }).Where(b => b is not null).Select(b => b!.Value), ct);
        return companions.Select(c => Of(c, bodies, now)).ToList();
    }
}

public static class ListCompanionsEndpoint
{
    public static RouteGroupBuilder MapListCompanions(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}/companions", List)
            .WithName("listCompanions")
            .WithSummary("List a person's companions")
            .WithDescription("Category companion under DESIGN §4: current, ended and removed companions, newest first, with what each may see.")
            .Produces<IReadOnlyList<CompanionView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/persons/{id:guid}/companions/{companionId:guid}", Get)
            .WithName("getCompanion")
            .WithSummary("Read one companion")
            .WithDescription("Category companion. The ETag is the companion's version, to send in If-Match when removing them.")
            .Produces<CompanionView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> List(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsync(id, Categories.Companion, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var companions = await session.Query<CompanionDetails>().Where(c => c.PersonId == id).ToListAsync(http.RequestAborted);
        var views = await CompanionView.LoadAsync(session, companions.OrderByDescending(c => c.ChosenAt).ThenByDescending(c => c.Id).ToList(),
            access.Now, http.RequestAborted);
        await access.RecordReadAsync(check.Admitted!, [Categories.Companion], [], http.RequestAborted);
        return TypedResults.Ok(views);
    }

    private static async Task<IResult> Get(Guid id, Guid companionId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsync(id, Categories.Companion, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var companion = await session.LoadAsync<CompanionDetails>(companionId, http.RequestAborted);
        // An id that is not one of this person's companions is a denied read of the person's record, logged like any
        // other (as for one consent), answered as an unknown id.
        if (companion is null || companion.PersonId != id) return await access.RefuseAsync(id, [Categories.Companion], http.RequestAborted);
        var view = (await CompanionView.LoadAsync(session, [companion], access.Now, http.RequestAborted))[0];
        await access.RecordReadAsync(check.Admitted!, [Categories.Companion], [], http.RequestAborted);
        http.Response.SetETag(companion.Version);
        return TypedResults.Ok(view);
    }
}
