namespace Appointments.Contracts;

// Published by Appointments. Never rename or move: MassTransit names a message by namespace + type.

/// <param name="BookedByBodyId">Null when the person booked for themself.</param>
public record AppointmentBooked(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? BookedByBodyId, string BookedBySubject, Guid? ReferralId, Guid? CompanionId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Mode, string Motif, DateTimeOffset OccurredAt);

public record AppointmentRescheduled(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset OccurredAt);

public record AppointmentCancelled(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, string CancelledBy, string ReasonCode, DateTimeOffset OccurredAt);

public record AppointmentAttended(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, DateTimeOffset OccurredAt);

public record AppointmentMissed(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, bool Excused, DateTimeOffset OccurredAt);
