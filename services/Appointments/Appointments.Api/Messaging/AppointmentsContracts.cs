using Appointments.Api.Bookings;
using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;
using Contracts = Appointments.Contracts;

namespace Appointments.Api.Messaging;

/// <summary>
/// What Appointments tells the other services: the appointments' lifecycle, without the note, and the access log.
/// Schedules, seats and webhook endpoints stay inside Appointments.
/// </summary>
public sealed class AppointmentsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        AppointmentBooked e => new Contracts.AppointmentBooked(e.AppointmentId, e.PersonId, e.BodyId, e.BookedByBodyId, e.BookedBy.Subject,
            e.ReferralId, e.CompanionId, e.StartsAt, e.EndsAt, e.Mode.Code(), e.Motif, @event.Timestamp),
        AppointmentRescheduled e => new Contracts.AppointmentRescheduled(e.AppointmentId, e.PersonId, e.BodyId, e.ReferralId, e.StartsAt, e.EndsAt,
            @event.Timestamp),
        AppointmentCancelled e => new Contracts.AppointmentCancelled(e.AppointmentId, e.PersonId, e.BodyId, e.ReferralId, e.CancelledBy.Code(),
            e.Reason.Code(), @event.Timestamp),
        AppointmentAttended e => new Contracts.AppointmentAttended(e.AppointmentId, e.PersonId, e.BodyId, e.ReferralId, @event.Timestamp),
        AppointmentMissed e => new Contracts.AppointmentMissed(e.AppointmentId, e.PersonId, e.BodyId, e.ReferralId, e.Excused, @event.Timestamp),
        _ => AuditContracts.ToContract(@event),
    };
}
