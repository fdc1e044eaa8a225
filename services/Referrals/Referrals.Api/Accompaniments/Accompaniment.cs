namespace Referrals.Api.Accompaniments;

// The accompaniment log: what a companion or a professional did with the person (went with them to the
// CAF, helped with an online procedure…). One stream per entry. The note stays in Referrals: the contract
// carries kind, date and body only.

/// <summary>
/// Who logged an entry, as their token said: a professional of an involved body (<see cref="BodyId"/>) or the
/// person's companion (<see cref="CompanionId"/>).
/// </summary>
public sealed record AccompanimentAuthor(string Subject, string Name, Guid? BodyId, Guid? CompanionId);

/// <param name="BodyName">The visited body's name when the entry was logged.</param>
public sealed record AccompanimentLogged(Guid AccompanimentId, Guid PersonId, AccompanimentAuthor Author, AccompanimentKind Kind, DateOnly On,
    Guid? BodyId, string? BodyName, string? Note, DateTimeOffset At);

/// <summary>The person hid the entry from partners: from now on only the person sees it.</summary>
public sealed record AccompanimentHidden(Guid AccompanimentId, Guid PersonId, DateTimeOffset At);

public sealed record Accompaniment(Guid Id, Guid PersonId, bool Hidden)
{
    public static Accompaniment Create(AccompanimentLogged e) => new(e.AccompanimentId, e.PersonId, false);

    public Accompaniment Apply(AccompanimentHidden _) => this with { Hidden = true };
}

public static class AccompanimentDecider
{
    public const int NoteMaxLength = 500;
    public const int OldestDays = 365;

    /// <summary>Hiding twice changes nothing.</summary>
    public static Decided Hide(Accompaniment a, DateTimeOffset now) =>
        a.Hidden ? Decided.Accept() : Decided.Accept(new AccompanimentHidden(a.Id, a.PersonId, now));
}
