using Appointments.Contracts;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using MassTransit;
using Referrals.Api.Referrals;

namespace Referrals.Api.Copies;

public enum AppointmentState { Booked, Cancelled, Attended, Missed }

/// <summary>
/// An appointment of the person, as Appointments published it: the follow-up view lists them (category
/// appointments). Merged whatever the order of arrival: times from the latest booking or rescheduling, the
/// first outcome (cancelled, attended, missed) for good. <see cref="Known"/> is false while only an outcome
/// has arrived.
/// </summary>
public sealed record AppointmentCopy(Guid Id, Guid PersonId, Guid BodyId, Guid? BookedByBodyId, Guid? ReferralId, Guid? CompanionId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Mode, string Motif, AppointmentState State, string? CancelledBy,
    string? CancelReason, bool? Excused, bool Known, DateTimeOffset TimesAsOf, DateTimeOffset? OutcomeAt)
{
    public static AppointmentCopy Unknown(Guid id, Guid personId, Guid bodyId, Guid? referralId) =>
        new(id, personId, bodyId, null, referralId, null, DateTimeOffset.MinValue, DateTimeOffset.MinValue, "", "", AppointmentState.Booked,
            null, null, null, false, DateTimeOffset.MinValue, null);

    public AppointmentCopy WithOutcome(AppointmentState state, DateTimeOffset at, string? cancelledBy = null, string? reason = null,
        bool? excused = null) =>
        State != AppointmentState.Booked ? this : this with { State = state, OutcomeAt = at, CancelledBy = cancelledBy, CancelReason = reason, Excused = excused };
}

public sealed class AppointmentCopyConsumer(IDocumentSession session) :
    IConsumer<AppointmentBooked>, IConsumer<AppointmentRescheduled>, IConsumer<AppointmentCancelled>
{
    public async Task Consume(ConsumeContext<AppointmentBooked> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<AppointmentCopy>(m.AppointmentId, context.CancellationToken);
        if (current is { Known: true }) return;
        var booked = new AppointmentCopy(m.AppointmentId, m.PersonId, m.BodyId, m.BookedByBodyId, m.ReferralId, m.CompanionId, m.StartsAt,
            m.EndsAt, m.Mode, m.Motif, AppointmentState.Booked, null, null, null, true, m.OccurredAt, null);
        if (current is not null)
        {
            // An outcome or a rescheduling that arrived first is kept.
            booked = booked with { State = current.State, OutcomeAt = current.OutcomeAt, CancelledBy = current.CancelledBy, CancelReason = current.CancelReason, Excused = current.Excused };
            if (current.TimesAsOf > m.OccurredAt) booked = booked with { StartsAt = current.StartsAt, EndsAt = current.EndsAt, TimesAsOf = current.TimesAsOf };
        }
        session.Store(booked);
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<AppointmentRescheduled> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<AppointmentCopy>(m.AppointmentId, context.CancellationToken)
            ?? AppointmentCopy.Unknown(m.AppointmentId, m.PersonId, m.BodyId, m.ReferralId);
        if (current.TimesAsOf >= m.OccurredAt) return;
        session.Store(current with { StartsAt = m.StartsAt, EndsAt = m.EndsAt, TimesAsOf = m.OccurredAt });
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<AppointmentCancelled> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<AppointmentCopy>(m.AppointmentId, context.CancellationToken)
            ?? AppointmentCopy.Unknown(m.AppointmentId, m.PersonId, m.BodyId, m.ReferralId);
        var updated = current.WithOutcome(AppointmentState.Cancelled, m.OccurredAt, m.CancelledBy, m.ReasonCode);
        if (updated == current) return;
        session.Store(updated);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>
/// Attendance closes the loop: an appointment booked for a referral adds its outcome to that referral's
/// history. Appending is not naturally idempotent, hence the inbox.
/// </summary>
public sealed class AppointmentAttendedConsumer(IDocumentSession session, TimeProvider time) : IdempotentConsumer<AppointmentAttended>(session, time)
{
    protected override async Task Handle(AppointmentAttended m, ConsumeContext<AppointmentAttended> context)
    {
        await AppointmentOutcomes.RecordAsync(Session, m.AppointmentId, m.PersonId, m.BodyId, m.ReferralId, AppointmentState.Attended, null, m.OccurredAt,
            new ReferralAppointmentAttended(m.ReferralId ?? Guid.Empty, m.AppointmentId, m.BodyId, m.OccurredAt), context.CancellationToken);
    }
}

public sealed class AppointmentMissedConsumer(IDocumentSession session, TimeProvider time) : IdempotentConsumer<AppointmentMissed>(session, time)
{
    protected override async Task Handle(AppointmentMissed m, ConsumeContext<AppointmentMissed> context)
    {
        await AppointmentOutcomes.RecordAsync(Session, m.AppointmentId, m.PersonId, m.BodyId, m.ReferralId, AppointmentState.Missed, m.Excused, m.OccurredAt,
            new ReferralAppointmentMissed(m.ReferralId ?? Guid.Empty, m.AppointmentId, m.BodyId, m.Excused, m.OccurredAt), context.CancellationToken);
    }
}

public static class AppointmentOutcomes
{
    /// <summary>Updates the appointment copy and, when it was booked for a referral of the same person, that referral's history.</summary>
    public static async Task RecordAsync(IDocumentSession session, Guid appointmentId, Guid personId, Guid bodyId, Guid? referralId,
        AppointmentState state, bool? excused, DateTimeOffset at, object referralEvent, CancellationToken ct)
    {
        var current = await session.LoadAsync<AppointmentCopy>(appointmentId, ct) ?? AppointmentCopy.Unknown(appointmentId, personId, bodyId, referralId);
        var updated = current.WithOutcome(state, at, excused: excused);
        if (updated != current) session.Store(updated);

        if (referralId is not { } id) return;
        var stream = await session.Events.FetchForWriting<Referral>(id, ct);
        if (stream.Aggregate is not { } referral || referral.PersonId != personId) return;
        stream.AppendOne(referralEvent);
    }
}
