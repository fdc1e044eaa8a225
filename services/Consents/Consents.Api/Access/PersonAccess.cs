using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Consents.Api.Access;

/// <summary>A caller let through to one person's record, with what the decision rested on.</summary>
public sealed record Admission(PersonDetails Person, PersonFacts Facts, Decision Decision, bool IsSelf);

/// <summary>Either an admission or the answer to give instead (always the 404 of an unknown id).</summary>
public readonly record struct Checked(Admission? Admitted, IResult? Problem);

/// <summary>
/// DESIGN §4 at the door of every person route, through <see cref="SecrecyGate"/>. Routes are closed by role
/// before this runs (admins and partner systems never get here). A caller who may not see or touch the
/// person gets exactly the answer of an unknown id, and the refused attempt is appended to the person's
/// access log in the same request.
/// </summary>
public sealed class PersonAccess(SecrecyGate gate, IDocumentSession session)
{
    public Caller Caller => gate.Caller;

    public DateTimeOffset Now => gate.Now;

    public SecrecyGate Gate => gate;

    public bool IsSelf(Guid personId) => Caller.IsPerson && Caller.PersonId == personId;

    /// <summary>Reads one category of the person: the person, an involved body under an active grant, or a companion.</summary>
    public async Task<Checked> ReadAsync(Guid personId, string category, CancellationToken ct)
    {
        var person = await session.LoadAsync<PersonDetails>(personId, ct);
        if (person is null or { Erased: true }) return new(null, Problems.NotFound());
        var facts = IsSelf(personId) ? PersonFacts.None(personId) : await gate.FactsAsync(personId, ct);
        var decision = gate.Decide(facts, category);
        if (!decision.Allowed) return new(null, await RefuseAsync(personId, [category], ct));
        return new(new Admission(person, facts, decision, IsSelf(personId)), null);
    }

    /// <summary>
    /// The ledger (the list of consents): the person, or a professional of an involved body that holds any
    /// active grant of the person (the basis recorded is that grant).
    /// </summary>
    public async Task<Checked> ReadLedgerAsync(Guid personId, CancellationToken ct)
    {
        var person = await session.LoadAsync<PersonDetails>(personId, ct);
        if (person is null or { Erased: true }) return new(null, Problems.NotFound());
        if (IsSelf(personId)) return new(new Admission(person, PersonFacts.None(personId), new Decision(true, Bases.Self), true), null);
        if (!Caller.IsProfessional) return new(null, await RefuseAsync(personId, [], ct));

        var facts = await gate.FactsAsync(personId, ct);
        var body = Caller.BodyId!.Value;
        var grant = facts.Grants
            .Where(g => g.BodyId == body && g.IsActiveAt(Now))
            .OrderBy(g => g.Purpose == Purposes.FollowUpCoordination ? 0 : 1)
            .FirstOrDefault();
        if (grant is null || RoleCategories.For(Caller.Role).Count == 0 || !SecrecyRules.IsInvolved(facts, body))
        {
            return new(null, await RefuseAsync(personId, [], ct));
        }
        return new(new Admission(person, facts, new Decision(true, Bases.Consent, grant.ConsentId), false), null);
    }

    /// <summary>
    /// Commands on the person's record (grant, revoke, choose or remove a companion): the person themself, or
    /// a professional of an involved body acting at the person's request. No active grant is needed: a
    /// person who comes back to the desk after revoking everything may consent again.
    /// </summary>
    public async Task<Checked> ActAsync(Guid personId, CancellationToken ct)
    {
        var person = await session.LoadAsync<PersonDetails>(personId, ct);
        if (person is null or { Erased: true }) return new(null, Problems.NotFound());
        if (IsSelf(personId)) return new(new Admission(person, PersonFacts.None(personId), new Decision(true, Bases.Self), true), null);
        if (!Caller.IsProfessional) return new(null, await RefuseAsync(personId, [], ct));

        var facts = await gate.FactsAsync(personId, ct);
        if (RoleCategories.For(Caller.Role).Count == 0 || !SecrecyRules.IsInvolved(facts, Caller.BodyId!.Value))
        {
            return new(null, await RefuseAsync(personId, [], ct));
        }
        return new(new Admission(person, facts, new Decision(true, Bases.Consent), false), null);
    }

    /// <summary>
    /// The consent receipt and its FHIR form: the person, or the body that registered them while it may
    /// still read their identity (its own grant is active).
    /// </summary>
    public async Task<Checked> ReadAsRegistrarAsync(Guid personId, CancellationToken ct)
    {
        var person = await session.LoadAsync<PersonDetails>(personId, ct);
        if (person is null or { Erased: true }) return new(null, Problems.NotFound());
        if (IsSelf(personId)) return new(new Admission(person, PersonFacts.None(personId), new Decision(true, Bases.Self), true), null);
        if (!Caller.IsProfessional || Caller.BodyId != person.RegisteredByBodyId) return new(null, await RefuseAsync(personId, [Categories.Identity], ct));

        var facts = await gate.FactsAsync(personId, ct);
        var decision = gate.Decide(facts, Categories.Identity);
        if (!decision.Allowed) return new(null, await RefuseAsync(personId, [Categories.Identity], ct));
        return new(new Admission(person, facts, decision, false), null);
    }

    /// <summary>Records the refused attempt in the person's access log and answers as for an unknown id.</summary>
    public async Task<IResult> RefuseAsync(Guid personId, IEnumerable<string> asked, CancellationToken ct)
    {
        gate.RecordDenied(personId, asked);
        await CommitAsync(ct);
        return Problems.NotFound();
    }

    /// <summary>Records a granted read and commits it (with whatever else the request appended).</summary>
    public Task RecordReadAsync(Admission admission, IEnumerable<string> shown, IEnumerable<string> withheld, CancellationToken ct)
    {
        gate.RecordRead(admission.Person.Id, shown, withheld, admission.Decision.Basis, admission.Decision.ConsentId);
        return CommitAsync(ct);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Whether a body's items may be shown to this reader: a sensitive body is seen only by the person and itself.</summary>
    public bool MayNameBody(Admission admission, Guid bodyId) =>
        admission.IsSelf || !admission.Facts.SensitiveBodies.Contains(bodyId) || Caller.BodyId == bodyId;
}
