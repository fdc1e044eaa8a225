using Audit.Contracts;
using Consents.Api.Access;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy.Retention;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults.Http;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Consents.Api.AccessLog;

/// <summary>One read of a person's data, granted or denied, by any service. Keyed by AccessId: stored once.</summary>
public sealed record AccessLogEntry(Guid Id, Guid PersonId, string ReaderSubject, string ReaderDisplayName, Guid? ReaderBodyId,
    string ReaderRole, string Service, string Route, string[] CategoriesShown, string[] CategoriesWithheld, string Basis, Guid? ConsentId,
    DateTimeOffset OccurredAt);

/// <summary>
/// Every service's access events, Consents' own included (they come back through the broker like the
/// others). The AccessId is the document id, so a redelivered or republished event is stored once.
/// Every read of a person's data in any service ends here, so the entries are taken in batches (up to
/// <see cref="PersonDataAccessedConsumerDefinition.MessageLimit"/> at once, waiting at most
/// <see cref="PersonDataAccessedConsumerDefinition.TimeLimit"/> for a batch to fill): a batch is one lookup
/// of the ids already stored and one transaction, where one entry at a time cost up to three round trips and a
/// commit each. An entry waits at most the time limit for others before it is stored.
/// </summary>
public sealed class PersonDataAccessedConsumer(IDocumentSession session, TimeProvider time, IOptions<RetentionOptions> retention)
    : IConsumer<Batch<PersonDataAccessed>>
{
    public async Task Consume(ConsumeContext<Batch<PersonDataAccessed>> context)
    {
        var ct = context.CancellationToken;
        // An entry past the retention limit was dropped (or is about to be): a republished event must not bring it back.
        var cutoff = RetentionRules.AccessLogCutoff(time.GetUtcNow(), retention.Value.AccessLogMonths);
        var arrived = context.Message.Select(m => m.Message).Where(m => m.OccurredAt >= cutoff).DistinctBy(m => m.AccessId).ToList();
        if (arrived.Count == 0) return;
        var stored = (await session.LoadManyAsync<AccessLogEntry>(ct, arrived.Select(m => m.AccessId))).Select(e => e.Id).ToHashSet();
        var fresh = arrived.Where(m => !stored.Contains(m.AccessId)).ToList();
        if (fresh.Count == 0) return;
        // A reader who is a person is named by their own token; once the person is erased, so is that name.
        var personReaders = fresh.Where(m => m.ReaderRole == Erased.PersonRole).Select(m => m.PersonId).Distinct().ToArray();
        var erased = personReaders.Length == 0 ? [] : (await session.Query<ErasedPerson>().Where(e => personReaders.Contains(e.Id))
            .Select(e => e.Id).ToListAsync(ct)).ToHashSet();
        foreach (var m in fresh)
        {
            var readerName = m.ReaderRole == Erased.PersonRole && erased.Contains(m.PersonId) ? Erased.Text : m.ReaderDisplayName;
            session.Insert(new AccessLogEntry(m.AccessId, m.PersonId, m.ReaderSubject, readerName, m.ReaderBodyId, m.ReaderRole, m.Service,
                m.Route, m.CategoriesShown, m.CategoriesWithheld, m.Basis, m.ConsentId, m.OccurredAt));
        }
        // Two deliveries of one entry racing in two batches: the second batch's transaction fails on the entry's key and
        // is rolled back whole; the retry finds that entry stored and stores the rest (DocumentAlreadyExistsException
        // goes to the consumer's retry policy).
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>How access events are batched (see <see cref="PersonDataAccessedConsumer"/>).</summary>
public sealed class PersonDataAccessedConsumerDefinition : ConsumerDefinition<PersonDataAccessedConsumer>
{
    /// <summary>At most the endpoint's prefetch (32): a batch can only hold the messages the broker has handed over.</summary>
    public const int MessageLimit = 32;

    public static readonly TimeSpan TimeLimit = TimeSpan.FromMilliseconds(20);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PersonDataAccessedConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.Options<BatchOptions>(o => o.SetMessageLimit(MessageLimit).SetTimeLimit(TimeLimit).SetConcurrencyLimit(1));
}

/// <summary>Who looked, as the person sees it: name, role and body; when; where; what was shown and withheld; on what basis.</summary>
public sealed record AccessReader(string Name, string Role, BodyRef? Body);

public sealed record AccessLogView(Guid AccessId, DateTimeOffset At, AccessReader Reader, string Service, string Route,
    string[] CategoriesShown, string[] CategoriesWithheld, string Basis, Guid? ConsentId)
{
    public static AccessLogView Of(AccessLogEntry e, IReadOnlyDictionary<Guid, BodyCopy> bodies) =>
        new(e.Id, e.OccurredAt, new AccessReader(e.ReaderDisplayName, e.ReaderRole, e.ReaderBodyId is { } b ? BodyRef.Of(b, bodies) : null),
            e.Service, e.Route, e.CategoriesShown, e.CategoriesWithheld, e.Basis, e.ConsentId);

    public static async Task<IReadOnlyList<AccessLogView>> LoadAsync(IQuerySession session, IReadOnlyList<AccessLogEntry> entries, CancellationToken ct)
    {
        var bodies = await BodyNames.LoadAsync(session, entries.Where(e => e.ReaderBodyId is not null).Select(e => e.ReaderBodyId!.Value), ct);
        return entries.Select(e => Of(e, bodies)).ToList();
    }
}

public static class GetAccessLogEndpoint
{
    public static RouteGroupBuilder MapGetMyAccessLog(this RouteGroupBuilder group)
    {
        group.MapGet("/me/access-log", Handle)
            .WithName("getMyAccessLog")
            .WithSummary("Who accessed my data")
            .WithDescription("Every read of your data in every service, granted or refused, newest first: who (name, role, body), when, " +
                "where, which categories were shown and which withheld, and on what basis (your consent, yourself, your companion, a " +
                "booking, or refused). page counts from 1; pageSize is at most 100.")
            .Produces<PageOf<AccessLogView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(int? page, int? pageSize, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        if (!Paging.TryCreate(page, pageSize, out var paging, out var invalid)) return invalid!;
        // Paging.Skip is an int: a page this far would overflow it (and no log is that long).
        if (paging.Page > int.MaxValue / paging.PageSize) return Problems.Invalid("page", "Beyond the last page.");
        var personId = access.Caller.PersonId!.Value;
        if (await session.LoadAsync<PersonDetails>(personId, http.RequestAborted) is null or { Erased: true }) return Problems.NotFound();

        var entries = await session.Query<AccessLogEntry>().Where(e => e.PersonId == personId)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        var total = await session.Query<AccessLogEntry>().CountAsync(e => e.PersonId == personId, http.RequestAborted);
        var views = await AccessLogView.LoadAsync(session, entries, http.RequestAborted);
        return TypedResults.Ok(new PageOf<AccessLogView>(views, paging.Page, paging.PageSize, total));
    }
}
