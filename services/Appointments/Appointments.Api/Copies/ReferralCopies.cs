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

public sealed class ReferralCopyConsumer(IDocumentSession session) :
    IConsumer<ReferralSent>, IConsumer<ReferralAccepted>, IConsumer<ReferralDeclined>, IConsumer<ReferralRedirected>,
    IConsumer<ReferralClosed>, IConsumer<ReferralWithdrawn>, IConsumer<ReferralExpired>
{
    public Task Consume(ConsumeContext<ReferralSent> context)
    {
        var m = context.Message;
        return Started(m.ReferralId, m.PersonId, m.FromBodyId, m.ToBodyId, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralAccepted> context) =>
        Move(context.Message.ReferralId, context.Message.PersonId, ReferralCopy.Accepted, context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralDeclined> context) =>
        Move(context.Message.ReferralId, context.Message.PersonId, "declined", context.CancellationToken);

    public async Task Consume(ConsumeContext<ReferralRedirected> context)
    {
        var m = context.Message;
        // The redirect creates the next referral, from the redirecting body: it is known from this message alone.
        await Move(m.ReferralId, m.PersonId, "redirected", context.CancellationToken);
        await Started(m.NewReferralId, m.PersonId, m.RedirectingBodyId, m.NewToBodyId, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralClosed> context) =>
        Move(context.Message.ReferralId, context.Message.PersonId, "closed", context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralWithdrawn> context) =>
        Move(context.Message.ReferralId, context.Message.PersonId, "withdrawn", context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralExpired> context) =>
        Move(context.Message.ReferralId, context.Message.PersonId, "expired", context.CancellationToken);

    private async Task Started(Guid id, Guid personId, Guid from, Guid to, CancellationToken ct)
    {
        var current = await session.LoadAsync<ReferralCopy>(id, ct);
        if (current is { Known: true }) return;
        session.Store(current is null
            ? new ReferralCopy(id, personId, from, to, ReferralCopy.Sent, Known: true)
            : current with { FromBodyId = from, ToBodyId = to, Known = true });
        await session.SaveChangesAsync(ct);
    }

    private async Task Move(Guid id, Guid personId, string status, CancellationToken ct)
    {
        var current = await session.LoadAsync<ReferralCopy>(id, ct) ?? new ReferralCopy(id, personId, null, null, ReferralCopy.Sent, Known: false);
        var moved = current.Moved(status);
        if (moved == current && current.Known) return;
        session.Store(moved);
        await session.SaveChangesAsync(ct);
    }
}
