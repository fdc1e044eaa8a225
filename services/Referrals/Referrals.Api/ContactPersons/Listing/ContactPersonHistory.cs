using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Marten.Events.Aggregation;
using Referrals.Api.Access;
using Referrals.Api.Copies;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.ContactPersons.Listing;

public sealed record Designation(Guid MemberId, string MemberName, DateTimeOffset From, DateTimeOffset? Until, ContactPersonEndReason? EndReason,
    Actor DesignatedBy);

/// <summary>One body's dated designations of a contact person for one person, oldest first; at most the last is current.</summary>
public sealed record ContactPersonHistory(Guid Id, Guid PersonId, Guid BodyId, Guid? CurrentMemberId, IReadOnlyList<Designation> Designations)
{
    public long Version { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public Designation? Current => CurrentMemberId is null ? null : Designations.LastOrDefault(d => d.MemberId == CurrentMemberId && d.Until is null);
}

public sealed class ContactPersonHistoryProjection : SingleStreamProjection<ContactPersonHistory, Guid>
{
    public static ContactPersonHistory Create(ContactPersonDesignated e) =>
        new(ContactPersonIds.Of(e.PersonId, e.BodyId), e.PersonId, e.BodyId, e.MemberId, [new Designation(e.MemberId, e.MemberDisplayName, e.At, null, null, e.By)]);

    public static ContactPersonHistory Apply(ContactPersonDesignated e, ContactPersonHistory h) => h with
    {
        CurrentMemberId = e.MemberId,
        Designations = [.. h.Designations, new Designation(e.MemberId, e.MemberDisplayName, e.At, null, null, e.By)],
    };

    public static ContactPersonHistory Apply(ContactPersonEnded e, ContactPersonHistory h) => h with
    {
        CurrentMemberId = h.CurrentMemberId == e.MemberId ? null : h.CurrentMemberId,
        Designations = h.Designations.Select(d => d.MemberId == e.MemberId && d.Until is null ? d with { Until = e.At, EndReason = e.Reason } : d).ToList(),
    };
}

public sealed record DesignationView(Guid MemberId, string MemberName, DateTimeOffset From, DateTimeOffset? Until, ContactPersonEndReason? EndReason);

/// <summary>A body's contact person for the person, with the history; the version is the ETag for PUT.</summary>
public sealed record BodyContactView(BodyRef Body, DesignationView? Current, IReadOnlyList<DesignationView> History, long Version)
{
    public static DesignationView ViewOf(Designation d) => new(d.MemberId, d.MemberName, d.From, d.Until, d.EndReason);

    public static BodyContactView Of(ContactPersonHistory h, IReadOnlyDictionary<Guid, string> bodyNames) =>
        new(BodyRef.Of(h.BodyId, bodyNames), h.Current is { } c ? ViewOf(c) : null, h.Designations.Select(ViewOf).ToList(), h.Version);
}

public sealed record ContactPersonsView(Guid PersonId, IReadOnlyList<BodyContactView> Bodies);

public static class ContactPersonsSight
{
    /// <summary>A contact person is an item of its body: at a sensitive body, only that body (and the person) see it.</summary>
    public static Item ItemOf(ContactPersonHistory h) => Sight.AtBody(h.Id, h.BodyId);
}

public static class ListContactPersonsEndpoint
{
    private static readonly string[] Asked = [Categories.Contacts];

    public static RouteGroupBuilder MapListContactPersons(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{personId:guid}/contact-persons", Handle)
            .WithName("listContactPersons")
            .WithSummary("Read a person's contact person in each body, with the history")
            .WithDescription("For each body that designated one: the current contact person (référent) and every earlier designation " +
                "with its dates and end reason (handover, member_left, person_request, other). Category contacts under DESIGN §4; a " +
                "sensitive body's designations are seen only by that body and the person. Anyone who may see none gets the 404 of an " +
                "unknown id. Every read is recorded in the person's access log.")
            .Produces<ContactPersonsView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        var batch = session.CreateBatchQuery();
        var pending = FactsLoader.Queue(batch, [personId]);
        var histories = batch.Query<ContactPersonHistory>().Where(h => h.PersonId == personId).ToList();
        await batch.Execute(ct);
        var sight = new Sight(gate.Reader, await pending.For(personId), gate.Now);

        var read = new ReadRecord(Asked);
        read.Show(Categories.Contacts, sight.Of(Categories.Contacts));
        var visible = (await histories).Where(h => read.Show(Categories.Contacts, sight.Of(Categories.Contacts, ContactPersonsSight.ItemOf(h))))
            .OrderBy(h => h.Designations[0].From).ToList();
        gate.RecordRead(personId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        if (!read.ShowedAnything) return Problems.NotFound();

        var names = await BodyNames.LoadAsync(session, visible.Select(h => h.BodyId), ct);
        return TypedResults.Ok(new ContactPersonsView(personId, visible.Select(h => BodyContactView.Of(h, names)).ToList()));
    }
}
