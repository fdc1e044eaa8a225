using Consents.Api.Access;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Consents.Api.Privacy.Exporting;

/// <summary>
/// The export routes (docs/adr/0070). Gathering the parts is asynchronous: a request answers 202 with the export's
/// Location; reading it answers 202 with where it stands until every part is in, then 200 with the document. The issue's
/// <c>GET /me/export</c> and <c>GET /persons/{id}/export</c> give the latest export of the last 24 hours, starting one
/// when there is none, so a client that only polls that route gets its document.
/// </summary>
public static class ExportPersonEndpoints
{
    private const string RetryAfterSeconds = "2";

    public static RouteGroupBuilder MapMyExports(this RouteGroupBuilder group)
    {
        group.MapPost("/me/exports", RequestMine)
            .AcceptsIdempotencyKey()
            .WithName("requestMyExport")
            .WithSummary("Ask for a copy of everything held about me")
            .WithDescription("Starts gathering, from every service, everything held about you (GDPR art. 15 and 20). 202 with the " +
                "export's Location; an export already in progress is given again rather than a second one started. The export is kept " +
                "24 hours, then deleted. Accepts an Idempotency-Key header.")
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/me/exports/{exportId:guid}", GetMine)
            .WithName("getMyExport")
            .WithSummary("Read one of my exports")
            .WithDescription("200 with the document (identity, consents with their history, companions, access log, login, referrals " +
                "with reasons, contact persons, accompaniments, appointments, webhook deliveries) once every service's part is in; 202 " +
                "with the parts received so far (and Retry-After) until then. 404 for an unknown or expired export.")
            .Produces<PersonExportDocument>()
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/me/export", GetMyLatest)
            .WithName("getMyLatestExport")
            .WithSummary("My latest export, started if there is none")
            .WithDescription("The latest export of the last 24 hours: 200 with the document when complete, 202 with its Location while " +
                "the services answer. When there is none, one is started (202): polling this route is enough to get the document.")
            .Produces<PersonExportDocument>()
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static RouteGroupBuilder MapPersonExports(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/exports", RequestForPerson)
            .AcceptsIdempotencyKey()
            .WithName("requestPersonExport")
            .WithSummary("Ask for a person's export, at their request")
            .WithDescription("A professional of the body that registered the person, while that body may read their identity, asks at " +
                "the person's request for everything held about them (for a person without a login). 202 with the export's Location. " +
                "Anyone else gets the 404 of an unknown id, and the attempt is in the person's access log. Accepts an Idempotency-Key header.")
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/persons/{id:guid}/exports/{exportId:guid}", GetForPerson)
            .WithName("getPersonExport")
            .WithSummary("Read a person's export")
            .WithDescription("The registering body reads an export it asked for: 200 with the document once complete (recorded in the " +
                "person's access log, every category shown), 202 while pending, 404 otherwise.")
            .Produces<PersonExportDocument>()
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/persons/{id:guid}/export", GetLatestForPerson)
            .WithName("getPersonLatestExport")
            .WithSummary("A person's latest export, started if there is none")
            .WithDescription("For the registering body, at the person's request: the latest export it asked for in the last 24 hours " +
                "(200 when complete, recorded in the person's access log; 202 while pending), started when there is none. Items about " +
                "a sensitive body other than the caller's are left out; the person's own export has them.")
            .Produces<PersonExportDocument>()
            .Produces<ExportStatusView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    // ---- The person ----

    private static async Task<IResult> RequestMine(PersonAccess access, IDocumentSession session, IOptions<JsonOptions> json, HttpContext http)
    {
        var admitted = await access.ReadAsync(access.Caller.PersonId!.Value, Categories.Identity, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        return await RequestAsync(admitted.Admitted!, ExportChannel.Self, access, session, json, http, "/me/exports/");
    }

    private static async Task<IResult> GetMine(Guid exportId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var admitted = await access.ReadAsync(access.Caller.PersonId!.Value, Categories.Identity, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        var export = await session.LoadAsync<PersonExportRecord>(exportId, http.RequestAborted);
        if (export is null || export.PersonId != admitted.Admitted!.Person.Id || export.ExpiresAt <= access.Now) return Problems.NotFound();
        return await AnswerAsync(export, admitted.Admitted, access, session, http, "/me/exports/");
    }

    private static async Task<IResult> GetMyLatest(PersonAccess access, IDocumentSession session, IOptions<JsonOptions> json, HttpContext http)
    {
        var admitted = await access.ReadAsync(access.Caller.PersonId!.Value, Categories.Identity, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        var latest = await LatestAsync(session, admitted.Admitted!.Person.Id, ExportChannel.Self, null, access.Now, http.RequestAborted);
        return latest is null
            ? await RequestAsync(admitted.Admitted, ExportChannel.Self, access, session, json, http, "/me/exports/")
            : await AnswerAsync(latest, admitted.Admitted, access, session, http, "/me/exports/");
    }

    // ---- The registering body, at the person's request ----

    private static async Task<IResult> RequestForPerson(Guid id, PersonAccess access, IDocumentSession session, IOptions<JsonOptions> json,
        HttpContext http)
    {
        var admitted = await access.ReadAsRegistrarAsync(id, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        return await RequestAsync(admitted.Admitted!, ChannelOf(admitted.Admitted!), access, session, json, http, $"/persons/{id}/exports/");
    }

    private static async Task<IResult> GetForPerson(Guid id, Guid exportId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var admitted = await access.ReadAsRegistrarAsync(id, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        var export = await session.LoadAsync<PersonExportRecord>(exportId, http.RequestAborted);
        if (export is null || export.PersonId != id || export.ExpiresAt <= access.Now || !IsRequester(export, admitted.Admitted!, access))
        {
            // An export this body may not read is a denied read of the person's data: logged, answered as unknown.
            return await access.RefuseAsync(id, Categories.All, http.RequestAborted);
        }
        return await AnswerAsync(export, admitted.Admitted!, access, session, http, $"/persons/{id}/exports/");
    }

    private static async Task<IResult> GetLatestForPerson(Guid id, PersonAccess access, IDocumentSession session, IOptions<JsonOptions> json,
        HttpContext http)
    {
        var admitted = await access.ReadAsRegistrarAsync(id, http.RequestAborted);
        if (admitted.Problem is { } problem) return problem;
        var channel = ChannelOf(admitted.Admitted!);
        var latest = await LatestAsync(session, id, channel, channel == ExportChannel.Self ? null : access.Caller.BodyId, access.Now,
            http.RequestAborted);
        return latest is null
            ? await RequestAsync(admitted.Admitted!, channel, access, session, json, http, $"/persons/{id}/exports/")
            : await AnswerAsync(latest, admitted.Admitted!, access, session, http, $"/persons/{id}/exports/");
    }

    private static ExportChannel ChannelOf(Admission admission) => admission.IsSelf ? ExportChannel.Self : ExportChannel.RegisteringBody;

    /// <summary>A body reads the exports it asked for; the person reads all of theirs.</summary>
    private static bool IsRequester(PersonExportRecord export, Admission admission, PersonAccess access) =>
        admission.IsSelf || (export.Channel == ExportChannel.RegisteringBody && export.RequestedByBodyId == access.Caller.BodyId);

    // ---- Shared ----

    private static async Task<PersonExportRecord?> LatestAsync(IQuerySession session, Guid personId, ExportChannel channel, Guid? bodyId,
        DateTimeOffset now, CancellationToken ct)
    {
        var exports = await session.Query<PersonExportRecord>()
            .Where(e => e.PersonId == personId && e.Channel == channel && e.ExpiresAt > now)
            .OrderByDescending(e => e.RequestedAt).ToListAsync(ct);
        return exports.FirstOrDefault(e => channel == ExportChannel.Self || e.RequestedByBodyId == bodyId);
    }

    /// <summary>
    /// Starts an export — unless one asked by the same requester is still gathering its parts, which is given again: a
    /// second click never doubles the copies of the person's data. Consents' own part is made in the same transaction.
    /// </summary>
    private static async Task<IResult> RequestAsync(Admission admission, ExportChannel channel, PersonAccess access, IDocumentSession session,
        IOptions<JsonOptions> json, HttpContext http, string locationPrefix)
    {
        var ct = http.RequestAborted;
        var now = access.Now;
        var personId = admission.Person.Id;
        var latest = await LatestAsync(session, personId, channel, channel == ExportChannel.Self ? null : access.Caller.BodyId, now, ct);
        if (latest is not null)
        {
            var current = ExportAssembly.Status(latest, await PartsAsync(session, latest.Id, ct));
            if (current.Status == ExportStatus.Pending) return Pending(http, locationPrefix, current);
        }

        var exportId = Guid.CreateVersion7();
        var by = Actor.Of(access.Caller);
        var export = new PersonExportRecord(exportId, personId, channel, by.Subject, channel == ExportChannel.Self ? null : by.BodyId, now,
            PersonExports.ExpiryOf(now));
        session.Events.StartStream(exportId, new PersonExportRequested(exportId, personId, by, channel, now));
        session.Store(export);
        var own = await ConsentsExportPart.BuildAsync(session, personId, now, json.Value.SerializerOptions, ct);
        var ownPart = new PersonExportPartRecord(PersonExportPartRecord.KeyOf(exportId, "consents"), exportId, personId, "consents", own, now,
            export.ExpiresAt);
        session.Store(ownPart);
        var status = ExportAssembly.Status(export, [ownPart]);
        // With an Idempotency-Key the first answer (ids, dates and statuses only) is kept for a replay.
        session.RememberAnswer(http, StatusCodes.Status202Accepted, locationPrefix + exportId, status);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        return Pending(http, locationPrefix, status);
    }

    /// <summary>The document when complete (a read of every category, in the access log); where it stands otherwise.</summary>
    private static async Task<IResult> AnswerAsync(PersonExportRecord export, Admission admission, PersonAccess access, IDocumentSession session,
        HttpContext http, string locationPrefix)
    {
        var parts = await PartsAsync(session, export.Id, http.RequestAborted);
        if (ExportAssembly.Assemble(export, parts) is not { } document) return Pending(http, locationPrefix, ExportAssembly.Status(export, parts));
        await access.RecordReadAsync(admission, Categories.All, [], http.RequestAborted);
        if (admission.IsSelf) return TypedResults.Ok(document);
        var hidden = admission.Facts.SensitiveBodies.Where(b => b != access.Caller.BodyId).ToHashSet();
        return TypedResults.Ok(SensitiveBodiesFilter.Without(document, hidden));
    }

    private static async Task<IReadOnlyList<PersonExportPartRecord>> PartsAsync(IQuerySession session, Guid exportId, CancellationToken ct) =>
        await session.Query<PersonExportPartRecord>().Where(p => p.ExportId == exportId).ToListAsync(ct);

    private static Accepted<ExportStatusView> Pending(HttpContext http, string locationPrefix, ExportStatusView status)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Accepted(locationPrefix + status.Id, status);
    }
}
