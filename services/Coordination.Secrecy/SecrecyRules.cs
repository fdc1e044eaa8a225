namespace Coordination.Secrecy;

/// <summary>
/// May this reader see this category of this person's data (DESIGN §4)? Deny by default. A professional P of
/// body B with role R sees category C of person X only if X has an active grant to B opening C, B is involved
/// with X, and R may see C. X sees everything about X; a companion sees exactly what X granted them; admins
/// and partner systems see nothing. Items at a sensitive body are seen only by X and the bodies concerned.
/// </summary>
public static class SecrecyRules
{
    public static Decision Decide(Reader reader, PersonFacts facts, string category, DateTimeOffset now, Item? item = null)
    {
        if (reader.Role is Reader.AdminRole or Reader.PartnerSystemRole) return Decision.Denied;
        if (reader.Role == Reader.PersonRole && reader.PersonId == facts.PersonId) return new Decision(true, Bases.Self);

        var sensitive = item?.TargetBodyId is { } target && facts.SensitiveBodies.Contains(target);
        if (reader.Role != Reader.PersonRole)
        {
            var asProfessional = DecideAsProfessional(reader, facts, category, now, item, sensitive);
            if (asProfessional.Allowed) return asProfessional;
        }
        // A companion may be a professional (a peer worker) or another person with a login; never for a sensitive item.
        return sensitive ? Decision.Denied : DecideAsCompanion(reader, facts, category, now);
    }

    /// <summary>
    /// What the body hosting a booking sees of the booking itself (time, motif, mode, the person's display
    /// name, companion attending, note) while it holds any active grant of the person.
    /// </summary>
    public static Decision DecideBookingContent(Reader reader, PersonFacts facts, Guid hostBodyId, DateTimeOffset now)
    {
        if (reader.Role == Reader.PersonRole) return reader.PersonId == facts.PersonId ? new Decision(true, Bases.Self) : Decision.Denied;
        if (reader.BodyId != hostBodyId || RoleCategories.For(reader.Role).Count == 0) return Decision.Denied;
        var grant = facts.Grants.FirstOrDefault(g => g.BodyId == hostBodyId && g.IsActiveAt(now) && g.Purpose != Purposes.RightsReview);
        return grant is null ? Decision.Denied : new Decision(true, Bases.Booking, grant.ConsentId);
    }

    /// <summary>
    /// The exact-match search by names and birth date: a body with an active grant including identity gets
    /// the id and display name, without being involved yet.
    /// </summary>
    public static Decision DecideSearchHit(Reader reader, PersonFacts facts, DateTimeOffset now)
    {
        if (reader.BodyId is not { } body || !RoleCategories.For(reader.Role).Contains(Categories.Identity)) return Decision.Denied;
        var grant = facts.Grants.FirstOrDefault(g => g.BodyId == body && g.IsActiveAt(now) && g.Opens(Categories.Identity));
        return grant is null ? Decision.Denied : new Decision(true, Bases.Consent, grant.ConsentId);
    }

    /// <summary>Whether the body counts as involved with the person, for the whole person or for this item.</summary>
    public static bool IsInvolved(PersonFacts facts, Guid bodyId, Item? item = null) =>
        facts.Involvements.Any(i => i.BodyId == bodyId && i.Active && (!i.ItemOnly || (item is not null && i.ItemId == item.Id)));

    private static Decision DecideAsProfessional(Reader reader, PersonFacts facts, string category, DateTimeOffset now, Item? item, bool sensitive)
    {
        if (reader.BodyId is not { } body) return Decision.Denied;
        if (!RoleCategories.For(reader.Role).Contains(category)) return Decision.Denied;
        if (sensitive && !item!.ConcernedBodies.Contains(body)) return Decision.Denied;
        if (!IsInvolved(facts, body, item)) return Decision.Denied;
        // Prefer the follow-up grant as the recorded basis when several open the category.
        var grant = facts.Grants
            .Where(g => g.BodyId == body && g.IsActiveAt(now) && g.Opens(category))
            .OrderBy(g => g.Purpose == Purposes.FollowUpCoordination ? 0 : 1)
            .FirstOrDefault();
        return grant is null ? Decision.Denied : new Decision(true, Bases.Consent, grant.ConsentId);
    }

    private static Decision DecideAsCompanion(Reader reader, PersonFacts facts, string category, DateTimeOffset now)
    {
        var companion = facts.Companions.FirstOrDefault(c =>
            c.UserSubject is not null && c.UserSubject == reader.Subject && c.IsActiveAt(now) && c.Categories.Contains(category));
        return companion is null ? Decision.Denied : new Decision(true, Bases.Companion);
    }

    /// <summary>Each category's decision, e.g. to compose a view and list what was withheld.</summary>
    public static IReadOnlyDictionary<string, Decision> DecideAll(Reader reader, PersonFacts facts, DateTimeOffset now) =>
        Categories.All.ToDictionary(c => c, c => Decide(reader, facts, c, now), StringComparer.Ordinal);
}
