using Coordination.Secrecy;

namespace Referrals.Api.Access;

/// <summary>
/// DESIGN §4 for one reader and one person, category by category and item by item, through
/// <see cref="SecrecyRules.Decide"/> only. Items tied to a body (a contact person, an accompaniment at a
/// body) are decided as items of that body, so that a sensitive body's items reach only the bodies concerned.
/// </summary>
public sealed class Sight(Reader reader, PersonFacts facts, DateTimeOffset now)
{
    public Reader Reader => reader;

    public PersonFacts Facts => facts;

    public DateTimeOffset Now => now;

    public bool IsSelf => reader.Role == Reader.PersonRole && reader.PersonId == facts.PersonId;

    public Decision Of(string category, Item? item = null) => SecrecyRules.Decide(reader, facts, category, now, item);

    /// <summary>An item held at one body (and possibly made by another): concerned are those bodies, the target is the first.</summary>
    public static Item AtBody(Guid id, Guid bodyId, Guid? otherBodyId = null) =>
        new(id, otherBodyId is { } other ? new HashSet<Guid> { bodyId, other } : new HashSet<Guid> { bodyId }, bodyId);

    public bool IsSensitive(Guid bodyId) => facts.SensitiveBodies.Contains(bodyId);
}

/// <summary>
/// What one read showed and withheld, for the single PersonDataRead event of the request. The basis recorded
/// is the first granted decision's (categories are decided in a fixed order, so it is stable).
/// </summary>
public sealed class ReadRecord(IEnumerable<string> asked)
{
    private readonly List<string> _asked = [.. asked];
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public Decision? Basis { get; private set; }

    public bool ShowedAnything => _shown.Count > 0;

    public IReadOnlyCollection<string> Shown => _shown;

    public IEnumerable<string> Withheld => _asked.Where(c => !_shown.Contains(c));

    /// <summary>Notes the decision; true when it allows the category to be shown.</summary>
    public bool Show(string category, Decision decision)
    {
        if (!decision.Allowed) return false;
        _shown.Add(category);
        // A consent with its id says more than one without (a second grant of the same body).
        if (Basis is null || (Basis.ConsentId is null && decision.ConsentId is not null && Basis.Basis == decision.Basis)) Basis = decision;
        return true;
    }

    public bool IsShown(string category) => _shown.Contains(category);

    /// <summary>Adds a category to what this read asked for (when the answer turns out to touch it).</summary>
    public void Ask(string category)
    {
        if (!_asked.Contains(category)) _asked.Add(category);
    }
}
