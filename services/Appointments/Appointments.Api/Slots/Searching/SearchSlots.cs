using System.Globalization;
using System.Linq.Expressions;
using Appointments.Api.Bookings;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;
using Marten.Linq;

namespace Appointments.Api.Slots.Searching;

/// <summary>A free slot as offered: no street address (a sensitive body's is for its members and the persons booked there).</summary>
public sealed record SlotView(Guid Id, Guid ScheduleId, Guid BodyId, string? BodyName, Guid PlaceId, string PlaceName, string? Commune,
    string? CommuneInsee, string? PostalCode, string Motif, Mode Mode, DateTimeOffset StartsAt, DateTimeOffset EndsAt, int Capacity, int Free);

public sealed record SlotQuery(Guid? BodyId, string? CommuneInsee, string? Motif, Mode? Mode, DateTimeOffset From, DateTimeOffset To);

public static class SearchSlotsDecider
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(28);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(92);

    public static Dictionary<string, string[]> Parse(string? bodyId, string? commune, string? motif, string? mode, string? from, string? to,
        DateTimeOffset now, out SlotQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        Guid? body = null;
        if (bodyId is not null)
        {
            if (Guid.TryParse(bodyId, out var b)) body = b;
            else errors["bodyId"] = ["A body id (uuid)."];
        }
        if (commune is not null && !(commune.Length == 5 && commune.All(char.IsAsciiLetterOrDigit))) errors["commune"] = ["An INSEE commune code (five characters)."];
        if (motif is { Length: > 100 }) errors["motif"] = ["At most 100 characters."];
        Mode? m = null;
        if (mode is not null)
        {
            if (Codes.TryParse<Mode>(mode, out var parsed)) m = parsed;
            else errors["mode"] = [$"One of {Codes.List<Mode>()}."];
        }
        var start = now;
        if (from is not null && !DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start)) errors["from"] = ["An ISO 8601 instant."];
        // The default end (and any allowed one) must exist: the last instants of year 9999 have no 28 days after them.
        else if (start > DateTimeOffset.MaxValue - MaxRange) errors["from"] = [$"An instant before {DateTimeOffset.MaxValue - MaxRange:yyyy-MM-dd}."];
        var end = errors.ContainsKey("from") ? now + DefaultRange : start + DefaultRange;
        if (to is not null && !DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out end)) errors["to"] = ["An ISO 8601 instant."];
        else if (errors.ContainsKey("from")) { /* nothing to compare 'to' with */ }
        else if (end <= start) errors["to"] = ["After 'from'."];
        else if (end - start > MaxRange) errors["to"] = ["At most 92 days after 'from'."];
        query = new SlotQuery(body, commune, motif?.Trim(), m, start, end);
        return errors;
    }
}

public static class SearchSlotsEndpoint
{
    public static RouteGroupBuilder MapSearchSlots(this RouteGroupBuilder group)
    {
        group.MapGet("/slots", Handle)
            .WithName("searchSlots")
            .WithSummary("Search free slots")
            .WithDescription("Free slots of open schedules that can be booked now (within their minimum and maximum booking delays), by " +
                "body, commune (INSEE code), motif, mode (in_person, phone, video, home_visit) and period (from/to, ISO 8601; default " +
                "the next 28 days, at most 92), by start. A person sees person slots; a professional sees their own body's " +
                "body_members slots and other bodies' partner_professionals slots. Paged (page from 1, pageSize at most 100).")
            .Produces<PageOf<SlotView>>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? bodyId, string? commune, string? motif, string? mode, string? from, string? to,
        int? page, int? pageSize, Caller caller, IQuerySession session, TimeProvider time, HttpContext http)
    {
        if (!BookingRules.MayBookAtAll(caller)) return Problems.Forbidden("Slots are offered to those who book: professionals and persons.");
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        var now = time.GetUtcNow();
        var errors = SearchSlotsDecider.Parse(bodyId, commune, motif, mode, from, to, now, out var q);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var filters = Filters(q, caller, now);
        // The count and the page in one round trip. Not one statement with count(*) over (): the window kept every
        // matching slot's document in memory (a commune's four weeks: thousands of rows) where the page stops at its last.
        var batch = session.CreateBatchQuery();
        var counted = batch.Query<SlotEntry>();
        foreach (var filter in filters) counted = counted.Where(filter);
        var totalTask = counted.Count();
        var pageTask = batch.QueryByPlan(new SlotPage(filters, paging.Skip, paging.PageSize));
        await batch.Execute(http.RequestAborted);
        var total = await totalTask;
        var found = await pageTask;
        var views = found.Select(s => new SlotView(s.Id, s.ScheduleId, s.BodyId, s.BodyName, s.PlaceId, s.PlaceName, s.Commune, s.CommuneInsee,
            s.PostalCode, s.Motif, s.Mode, s.StartsAt, s.EndsAt, s.Capacity, s.Free)).ToList();
        return TypedResults.Ok(new PageOf<SlotView>(views, paging.Page, paging.PageSize, total));
    }

    /// <summary>What the caller may book among free, open slots bookable now, narrowed by the query.</summary>
    private static List<Expression<Func<SlotEntry, bool>>> Filters(SlotQuery q, Caller caller, DateTimeOffset now)
    {
        List<Expression<Func<SlotEntry, bool>>> filters =
        [
            s => !s.Closed && s.Free > 0 && s.BookableFrom <= now && s.BookableUntil >= now && s.StartsAt >= q.From && s.StartsAt < q.To,
        ];
        if (caller.IsPerson)
        {
            filters.Add(s => s.ByPerson);
        }
        else
        {
            var own = caller.BodyId!.Value;
            filters.Add(s => (s.BodyId == own && s.ByMembers) || (s.BodyId != own && s.ByPartners));
        }
        if (q.BodyId is { } body) filters.Add(s => s.BodyId == body);
        if (q.CommuneInsee is { } insee) filters.Add(s => s.CommuneInsee == insee);
        if (q.Motif is { } m) filters.Add(s => s.Motif == m);
        if (q.Mode is { } md) filters.Add(s => s.Mode == md);
        return filters;
    }

    /// <summary>One page of the matching slots by start (then id, so that pages never overlap), queued in the count's batch.</summary>
    private sealed class SlotPage(IReadOnlyList<Expression<Func<SlotEntry, bool>>> filters, int skip, int take) : QueryListPlan<SlotEntry>
    {
        public override IQueryable<SlotEntry> Query(IQuerySession session)
        {
            var slots = session.Query<SlotEntry>().AsQueryable();
            foreach (var filter in filters) slots = slots.Where(filter);
            return slots.OrderBy(s => s.StartsAt).ThenBy(s => s.Id).Skip(skip).Take(take);
        }
    }
}
