using Consents.Api.Access;
using Consents.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Marten;
using MassTransit;
using Referrals.Contracts;

namespace Consents.Api.ContactPersons;

/// <summary>
/// A contact person (interlocuteur / référent) of a body for a person, as Referrals published it. Keyed by
/// person, body and member; of two facts about one member the latest wins, whatever order they arrive in.
/// </summary>
public sealed record ContactPersonEntry(string Id, Guid PersonId, Guid BodyId, Guid MemberId, string DisplayName, bool Active,
    DateTimeOffset? Since, DateTimeOffset? EndedAt, DateTimeOffset AsOf)
{
    public static string KeyOf(Guid personId, Guid bodyId, Guid memberId) => $"{personId:N}:{bodyId:N}:{memberId:N}";
}

public sealed class ContactPersonConsumer(IDocumentSession session) : IConsumer<ContactPersonDesignated>, IConsumer<ContactPersonEnded>
{
    public async Task Consume(ConsumeContext<ContactPersonDesignated> context)
    {
        var m = context.Message;
        var key = ContactPersonEntry.KeyOf(m.PersonId, m.BodyId, m.MemberId);
        var current = await session.LoadAsync<ContactPersonEntry>(key, context.CancellationToken);
        ContactPersonEntry? next = current switch
        {
            null => new ContactPersonEntry(key, m.PersonId, m.BodyId, m.MemberId, m.MemberDisplayName, true, m.OccurredAt, null, m.OccurredAt),
            // An older designation only fills in the name an early end could not carry.
            _ when current.AsOf >= m.OccurredAt => current.DisplayName.Length == 0 ? current with { DisplayName = m.MemberDisplayName } : null,
            _ => current with { DisplayName = m.MemberDisplayName, Active = true, Since = m.OccurredAt, EndedAt = null, AsOf = m.OccurredAt },
        };
        if (next is null || next == current) return;
        session.Store(next);
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ContactPersonEnded> context)
    {
        var m = context.Message;
        var key = ContactPersonEntry.KeyOf(m.PersonId, m.BodyId, m.MemberId);
        var current = await session.LoadAsync<ContactPersonEntry>(key, context.CancellationToken);
        if (current is not null && current.AsOf > m.OccurredAt) return;
        var next = (current ?? new ContactPersonEntry(key, m.PersonId, m.BodyId, m.MemberId, "", false, null, null, m.OccurredAt))
            with { Active = false, EndedAt = m.OccurredAt, AsOf = m.OccurredAt };
        if (next == current) return;
        session.Store(next);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed record ContactPersonView(Guid MemberId, string DisplayName, DateTimeOffset? Since);

/// <summary>The current contact persons of one body for the person.</summary>
public sealed record BodyContactPersons(BodyRef Body, IReadOnlyList<ContactPersonView> ContactPersons);

public static class ContactPersonViews
{
    /// <summary>The current contact persons, one group per body, bodies by name.</summary>
    public static IReadOnlyList<BodyContactPersons> Group(IEnumerable<ContactPersonEntry> entries, IReadOnlyDictionary<Guid, BodyCopy> bodies) =>
        entries.Where(e => e.Active).GroupBy(e => e.BodyId)
            .Select(g => new BodyContactPersons(BodyRef.Of(g.Key, bodies),
                g.OrderBy(e => e.Since).Select(e => new ContactPersonView(e.MemberId, e.DisplayName, e.Since)).ToList()))
            .OrderBy(b => b.Body.Name, StringComparer.Ordinal)
            .ToList();

    public static async Task<IReadOnlyList<BodyContactPersons>> LoadAsync(IQuerySession session, IReadOnlyList<ContactPersonEntry> entries,
        CancellationToken ct) =>
        Group(entries, await BodyNames.LoadAsync(session, entries.Select(e => e.BodyId), ct));
}

public static class ListContactPersonsEndpoint
{
    public static RouteGroupBuilder MapListContactPersons(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}/contact-persons", Handle)
            .WithName("listContactPersons")
            .WithSummary("List a person's current contact persons, per body")
            .WithDescription("Category contacts under DESIGN §4. The contact person of a sensitive body is shown only to the person and to that body.")
            .Produces<IReadOnlyList<BodyContactPersons>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsync(id, Categories.Contacts, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var entries = await session.Query<ContactPersonEntry>().Where(e => e.PersonId == id && e.Active).ToListAsync(http.RequestAborted);
        // Each body's contact person is an item of that body: a sensitive body's stays between the person and that body.
        var visible = admission.IsSelf ? entries : entries.Where(e =>
            access.Gate.Decide(admission.Facts, Categories.Contacts, new Item(e.BodyId, new HashSet<Guid> { e.BodyId }, e.BodyId)).Allowed).ToList();
        var views = await ContactPersonViews.LoadAsync(session, visible, http.RequestAborted);
        await access.RecordReadAsync(admission, [Categories.Contacts], [], http.RequestAborted);
        return TypedResults.Ok(views);
    }
}
