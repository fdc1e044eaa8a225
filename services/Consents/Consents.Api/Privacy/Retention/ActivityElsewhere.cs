using Appointments.Contracts;
using Marten;
using MassTransit;
using Referrals.Contracts;

namespace Consents.Api.Privacy.Retention;

/// <summary>
/// The latest thing another service recorded in the person's file that Consents holds no copy of: a referral
/// reviewed, accepted, closed or withdrawn, an accompaniment logged, an appointment moved, cancelled, attended or
/// missed. Only the person's id and a date (ADR 0072): a file where a CAF agent closed a referral or a peer worker
/// logged an accompaniment last month is alive, whatever the grants say.
/// </summary>
public sealed record ActivityElsewhere(Guid Id, DateTimeOffset LastAt);

public sealed class ActivityElsewhereConsumer(IDocumentSession session) :
    IConsumer<ReferralReviewStarted>, IConsumer<ReferralAccepted>, IConsumer<ReferralClosed>, IConsumer<ReferralWithdrawn>,
    IConsumer<AccompanimentLogged>,
    IConsumer<AppointmentRescheduled>, IConsumer<AppointmentCancelled>, IConsumer<AppointmentAttended>, IConsumer<AppointmentMissed>
{
    public Task Consume(ConsumeContext<ReferralReviewStarted> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralAccepted> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralClosed> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<ReferralWithdrawn> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<AccompanimentLogged> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<AppointmentRescheduled> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<AppointmentCancelled> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<AppointmentAttended> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<AppointmentMissed> context) => Mark(context.Message.PersonId, context.Message.OccurredAt, context.CancellationToken);

    /// <summary>
    /// Keeps the latest date: a redelivery or an older message changes nothing (idempotent), and two messages of one
    /// person at once meet on the document's version (optimistic concurrency; the loser is retried).
    /// </summary>
    private async Task Mark(Guid personId, DateTimeOffset at, CancellationToken ct)
    {
        var current = await session.LoadAsync<ActivityElsewhere>(personId, ct);
        if (current is not null && current.LastAt >= at) return;
        session.Store(new ActivityElsewhere(personId, at));
        await session.SaveChangesAsync(ct);
    }
}
