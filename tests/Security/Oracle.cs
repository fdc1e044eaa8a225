namespace Security.Tests;

/// <summary>
/// DESIGN §4 written again, independently of <c>Coordination.Secrecy</c> (a shared bug must not hide itself): who may
/// see which category of a person's data, from the role table, the person's grants, the bodies involved, the
/// companions and the sensitive bodies — as facts the scenario recorded while it built them through the APIs.
///
/// A professional P of body B with role R sees category C of person X when all hold:
///   1. X has an active grant to B opening C (follow_up_coordination opens what it lists; appointment_booking only
///      identity, companion and appointments; rights_review nothing);
///   2. B is involved with X (registered X, sent or received a referral, hosts or booked an appointment, has a contact
///      person);
///   3. R's column of the role table has C;
/// and, for an item at a sensitive body, B is one of the item's bodies. X sees everything about X; a companion sees
/// what X granted them (never an item at a sensitive body); the body hosting a booking sees what the booking holds
/// while it holds any active grant; admins, partner systems and anonymous callers see nothing. A body keeps a stub
/// (ids, dates, status) of its own referrals and appointments. The exact-match search returns id and display name to
/// a body whose active grant includes identity, without involvement.
/// </summary>
public static class Oracle
{
    public const string Identity = "identity";
    public const string Orientation = "orientation";
    public const string OrientationDetails = "orientation_details";
    public const string Contacts = "contacts";
    public const string Companion = "companion";
    public const string Appointments = "appointments";
    public const string Accompaniment = "accompaniment";

    public static readonly IReadOnlyList<string> Categories =
        [Identity, Orientation, OrientationDetails, Contacts, Companion, Appointments, Accompaniment];

    private static readonly HashSet<string> BookingCategories = new HashSet<string> { Identity, Companion, Appointments };

    /// <summary>The role table of DESIGN §4, column by column.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> RoleTable = new Dictionary<string, IReadOnlySet<string>>
    {
        ["social_worker"] = Categories.ToHashSet(),
        ["coordinator"] = Categories.ToHashSet(),
        ["france_services_adviser"] = new HashSet<string> { Identity, Orientation, Contacts, Companion, Appointments },
        ["mairie_secretary"] = new HashSet<string> { Identity, Orientation, Contacts, Companion, Appointments },
        ["peer_worker"] = new HashSet<string> { Identity, Contacts, Companion, Appointments, Accompaniment },
        ["volunteer"] = new HashSet<string> { Identity, Contacts, Companion, Appointments, Accompaniment },
        ["admin"] = new HashSet<string>(),
        ["partner_system"] = new HashSet<string>(),
    };

    private static IReadOnlySet<string> Column(Actor actor) =>
        actor.IsProfessional && RoleTable.TryGetValue(actor.Role, out var column) ? column : new HashSet<string>();

    private static bool Opens(GrantFact grant, string category) => grant.Purpose switch
    {
        "follow_up_coordination" => grant.Categories.Contains(category),
        "appointment_booking" => grant.Categories.Contains(category) && BookingCategories.Contains(category),
        _ => false,
    };

    public static bool IsSelf(Actor actor, PersonFacts facts) => actor.IsPerson && actor.PersonId == facts.PersonId;

    public static bool IsInvolved(PersonFacts facts, Guid body) => facts.Involvements.Any(i => i.BodyId == body);

    private static bool IsSensitive(PersonFacts facts, ItemFact? item) => item is not null && facts.SensitiveBodies.Contains(item.Target);

    /// <summary>May the actor see this category of the person (of this item, when the data is tied to bodies)?</summary>
    public static bool MaySee(Actor actor, PersonFacts facts, string category, ItemFact? item = null)
    {
        if (IsSelf(actor, facts)) return true;
        var sensitive = IsSensitive(facts, item);
        if (actor.IsProfessional && actor.BodyId is { } body)
        {
            var asProfessional = Column(actor).Contains(category)
                && (!sensitive || item!.Concerned.Contains(body))
                && IsInvolved(facts, body)
                && facts.Grants.Any(g => g.BodyId == body && Opens(g, category));
            if (asProfessional) return true;
            var asHost = item is { Kind: ItemKind.Appointment } && item.Target == body && BookingCategories.Contains(category)
                && Column(actor).Count > 0 && facts.Grants.Any(g => g.BodyId == body && g.Purpose != "rights_review");
            if (asHost) return true;
        }
        // A companion is a platform login: a professional (peer worker) or another person.
        return !sensitive && actor.Subject is { } subject
            && facts.Companions.Any(c => c.Subject == subject && c.Categories.Contains(category));
    }

    /// <summary>A body concerned by one of the person's referrals or appointments keeps their stub (ids, dates, status).</summary>
    public static bool IsParty(Actor actor, PersonFacts facts, ItemFact item) =>
        actor.IsProfessional && item.Kind is ItemKind.Referral or ItemKind.Appointment && item.Concerned.Contains(actor.BodyId!.Value);

    /// <summary>May the actor know that this person exists at all (see anything of them, or a stub of one of their items)?</summary>
    public static bool MayKnow(Actor actor, PersonFacts facts) =>
        IsSelf(actor, facts)
        || Categories.Any(c => MaySee(actor, facts, c) || facts.Items.Any(i => MaySee(actor, facts, c, i)))
        || facts.Items.Any(i => IsParty(actor, facts, i));

    /// <summary>The exact-match search exception: a body whose active grant includes identity gets id and display name.</summary>
    public static bool MayFindBySearch(Actor actor, PersonFacts facts) =>
        actor.IsProfessional && Column(actor).Contains(Identity) && facts.Grants.Any(g => g.BodyId == actor.BodyId && Opens(g, Identity));

    /// <summary>
    /// An entry of the consent ledger: the person, or a professional of an involved body holding an active grant of the
    /// person (the ledger says which bodies the person shares with: it is read like the rest of their data). A grant to
    /// a sensitive body is an item of that body.
    /// </summary>
    public static bool MayReadLedgerEntry(Actor actor, PersonFacts facts, ItemFact? item)
    {
        if (IsSelf(actor, facts)) return true;
        if (!actor.IsProfessional || Column(actor).Count == 0) return false;
        var body = actor.BodyId!.Value;
        if (IsSensitive(facts, item) && !item!.Concerned.Contains(body)) return false;
        return IsInvolved(facts, body) && facts.Grants.Any(g => g.BodyId == body);
    }

    /// <summary>What a mutation does, as far as who may make it depends on it.</summary>
    public enum Act { Other, LogAccompaniment, Erase }

    /// <summary>
    /// May the actor act on the person's data at all? The person; a professional of an involved body (designating a
    /// contact person and recording at the person's request need involvement); a companion, only to log an
    /// accompaniment (§4); an administrator, only to erase the person on their written request (the right to erasure,
    /// GDPR art. 17: an act on the record, not a read of it). Whether an involved body's role may take this or that step
    /// is each service's business rule, tested by that service.
    /// </summary>
    public static bool MayAct(Actor actor, PersonFacts facts, Act act) =>
        IsSelf(actor, facts)
        || (actor.IsProfessional && Column(actor).Count > 0 && IsInvolved(facts, actor.BodyId!.Value))
        || (act == Act.LogAccompaniment && actor.Subject is { } subject && facts.Companions.Any(c => c.Subject == subject))
        || (act == Act.Erase && actor.IsAdmin);

    /// <summary>A body is managed by its coordinators and by administrators (users or clients with the admin role).</summary>
    public static bool MayManage(Actor actor, Guid? body) =>
        actor.IsAdmin || (actor.IsProfessional && actor.Role == "coordinator" && (body is null || actor.BodyId == body));

    /// <summary>Whether a response may carry this marker to this actor.</summary>
    /// <param name="isSearch">The response answers the exact-match search by names and birth date.</param>
    public static bool MayReceive(Actor actor, Target target, Marker marker, bool isSearch)
    {
        var facts = target.Facts;
        var item = marker.Item is { } id ? facts.Item(id) : null;
        if (IsSelf(actor, facts)) return true;
        if (isSearch && (marker.Category == Markers.Person || marker.DisplayName) && MayFindBySearch(actor, facts)) return true;
        if (marker.StubField && item is not null && IsParty(actor, facts, item)) return true;
        return marker.Category switch
        {
            Markers.Person => MayKnow(actor, facts),
            Markers.Ledger => MayReadLedgerEntry(actor, facts, item),
            // The tie to a sensitive body shows through the items at that body: its referral, its grant.
            Markers.Relationship => facts.Items.Where(i => facts.SensitiveBodies.Contains(i.Target)).Any(i =>
                i.Kind == ItemKind.Consent ? MayReadLedgerEntry(actor, facts, i) : MaySee(actor, facts, Orientation, i) || IsParty(actor, facts, i)),
            _ => MaySee(actor, facts, marker.Category, item),
        };
    }
}
