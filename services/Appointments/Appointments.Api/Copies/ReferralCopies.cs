using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Marten;
using MassTransit;
using Referrals.Contracts;

namespace Appointments.Api.Copies;

/// <summary>
/// A referral, as far as booking needs it: whose, from which body to which, and its status. Messages merge in any
/// order: a final status is never replaced, <c>accepted</c> replaces <c>sent</c> only. <see cref="Known"/> is
/// false while only an end of the referral has arrived.
/// </summary>
public sealed record ReferralCopy(Guid Id, Guid PersonId, Guid? FromBodyId, Guid? ToBodyId, string Status, bool Known)
{
    public const string Sent = "sent";
    public const string Accepted = "accepted";
    private static readonly string[] Open = [Sent, Accepted];

    /// <summary>Booking with a referral needs one of this person to the receiving body that was not declined, expired or withdrawn.</summary>
    public static readonly IReadOnlySet<string> RefusingBooking = new HashSet<string>(StringComparer.Ordinal) { "declined", "expired", "withdrawn" };

    public bool AllowsBookingAt(Guid personId, Guid bodyId) =>
        Known && PersonId == personId && ToBodyId == bodyId && !RefusingBooking.Contains(Status);

    public ReferralCopy Moved(string status) => Open.Contains(Status) && (status != Sent) && !(Status == Accepted && status == Accepted)
        ? this with { Status = status }
        : this;
}

/// <summary>
/// The referral copy, and the involvement of the referral's two bodies with the person (DESIGN §4) that the same
/// contracts establish, in one transaction: each contract reaches Appointments once, on one queue, and is one lookup
/// (the copies and the involvement records together) and one commit.
/// </summary>
public sealed class ReferralCopyConsumer(IDocumentSession session) :
    IConsumer<ReferralSent>, IConsumer<ReferralAccepted>, IConsumer<ReferralDeclined>, IConsumer<ReferralRedirected>,
    IConsumer<ReferralClosed>, IConsumer<ReferralWithdrawn>, IConsumer<ReferralExpired>
{
    public Task Consume(ConsumeContext<ReferralSent> context)
    {
        var m = context.Message;
        return Apply([Started(m.ReferralId, m.PersonId, m.FromBodyId, m.ToBodyId)],
        [
            InvolvementFact.Involved(m.PersonId, m.FromBodyId, InvolvementKind.ReferralSender, m.ReferralId, m.OccurredAt),
            InvolvementFact.Involved(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt),
        ], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralAccepted> context) =>
        Apply([Moved(context.Message.ReferralId, context.Message.PersonId, ReferralCopy.Accepted)], [], context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralDeclined> context)
    {
        var m = context.Message;
        return Apply([Moved(m.ReferralId, m.PersonId, "declined")],
            [InvolvementFact.RestrictedToItem(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt)],
            context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralRedirected> context)
    {
        var m = context.Message;
        // The redirect creates the next referral, from the redirecting body: it is known from this message alone.
        return Apply([Moved(m.ReferralId, m.PersonId, "redirected"), Started(m.NewReferralId, m.PersonId, m.RedirectingBodyId, m.NewToBodyId)],
        [
            InvolvementFact.Involved(m.PersonId, m.RedirectingBodyId, InvolvementKind.ReferralSender, m.NewReferralId, m.OccurredAt),
            InvolvementFact.Involved(m.PersonId, m.NewToBodyId, InvolvementKind.ReferralReceiver, m.NewReferralId, m.OccurredAt),
        ], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralClosed> context) =>
        Apply([Moved(context.Message.ReferralId, context.Message.PersonId, "closed")], [], context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralWithdrawn> context) =>
        Apply([Moved(context.Message.ReferralId, context.Message.PersonId, "withdrawn")], [], context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralExpired> context)
    {
        var m = context.Message;
        return Apply([Moved(m.ReferralId, m.PersonId, "expired")],
            [InvolvementFact.RestrictedToItem(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt)],
            context.CancellationToken);
    }

    /// <summary>What a message does to the copy it concerns (null when there is none yet); null when it changes nothing.</summary>
    private sealed record CopyChange(Guid Id, Func<ReferralCopy?, ReferralCopy?> Merge);

    private static CopyChange Started(Guid id, Guid personId, Guid from, Guid to) => new(id, current => current switch
    {
        { Known: true } => null,
        null => new ReferralCopy(id, personId, from, to, ReferralCopy.Sent, Known: true),
        _ => current with { FromBodyId = from, ToBodyId = to, Known = true },
    });

    private static CopyChange Moved(Guid id, Guid personId, string status) => new(id, current =>
    {
        var moved = (current ?? new ReferralCopy(id, personId, null, null, ReferralCopy.Sent, Known: false)).Moved(status);
        return moved == current ? null : moved;
    });

    private async Task Apply(CopyChange[] changes, InvolvementFact[] involvement, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var copiesFound = batch.LoadMany<ReferralCopy>().ById(changes.Select(c => c.Id).Distinct().ToArray());
        var recordsFound = involvement.Length == 0
            ? Task.FromResult<IReadOnlyList<InvolvementRecord>>([])
            : batch.LoadMany<InvolvementRecord>().ById(Involvements.KeysOf(involvement).ToArray());
        await batch.Execute(ct);

        var copies = (await copiesFound).ToDictionary(c => c.Id, c => (ReferralCopy?)c);
        var changed = new Dictionary<Guid, ReferralCopy>();
        foreach (var change in changes)
        {
            if (change.Merge(copies.GetValueOrDefault(change.Id)) is not { } merged) continue;
            copies[change.Id] = merged;
            changed[change.Id] = merged;
        }
        // Stored once per copy: the version Marten checks (optimistic concurrency) is the one loaded.
        foreach (var copy in changed.Values) session.Store(copy);
        Involvements.Merge(session, involvement, await recordsFound);
        // Nothing changed (a redelivery): Marten opens no transaction.
        await session.SaveChangesAsync(ct);
    }
}
