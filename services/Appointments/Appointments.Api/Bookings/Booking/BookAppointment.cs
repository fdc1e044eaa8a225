using Appointments.Api.Copies;
using Appointments.Api.Schedules;
using Appointments.Api.Slots;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Bookings.Booking;

/// <summary>A slot by its id, or by its schedule and start; the person; their companion; an optional referral; a note for the receiving professional.</summary>
public sealed record BookAppointmentRequest(Guid? SlotId, Guid? ScheduleId, DateTimeOffset? StartsAt, Guid? PersonId, Guid? CompanionId,
    bool? CompanionAttends, Guid? ReferralId, string? Note);

public sealed record BookAppointment(Guid AppointmentId, Guid PersonId, Actor By, SlotEntry Slot, Guid? CompanionId, bool CompanionAttends,
    Guid? ReferralId, string? Note, DateTimeOffset At);

public sealed record AppointmentCreated(Guid Id, Guid SlotId, Guid BodyId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, AppointmentStatus Status);

public static class BookAppointmentDecider
{
    /// <summary>The same answer whether the referral does not exist, is someone else's, or may not be booked against.</summary>
    public const string ReferralError = "No referral of this person to the receiving body that is still open to a booking.";

    public static Dictionary<string, string[]> Validate(BookAppointmentRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.PersonId is null) errors["personId"] = ["Required."];
        if (r.SlotId is null && (r.ScheduleId is null || r.StartsAt is null)) errors["slotId"] = ["Required, or 'scheduleId' with 'startsAt'."];
        if (r.Note is { Length: > BookingRules.MaxNoteLength }) errors["note"] = [$"At most {BookingRules.MaxNoteLength} characters."];
        if (r.CompanionAttends == true && r.CompanionId is null) errors["companionId"] = ["Required when the companion attends."];
        return errors;
    }

    public static Guid SlotIdOf(BookAppointmentRequest r) => r.SlotId ?? SlotDerivation.IdOf(r.ScheduleId!.Value, r.StartsAt!.Value);

    public static AppointmentBooked Decide(BookAppointment c) => new(c.AppointmentId, c.PersonId, c.Slot.BodyId, c.By.BodyId, c.By, c.Slot.Id,
        c.Slot.ScheduleId, c.Slot.PlaceId, c.Slot.StartsAt, c.Slot.EndsAt, c.Slot.Motif, c.Slot.Mode, c.CompanionId, c.CompanionAttends,
        c.ReferralId, string.IsNullOrWhiteSpace(c.Note) ? null : c.Note.Trim(), c.At);
}

public static class BookAppointmentEndpoint
{
    public static RouteGroupBuilder MapBookAppointment(this RouteGroupBuilder group)
    {
        group.MapPost("/appointments", Handle)
            .AcceptsIdempotencyKey()
            .WithName("bookAppointment")
            .WithSummary("Book an appointment for a person")
            .WithDescription("A professional books on the person's behalf in a slot they may book (their own body's body_members slots, " +
                "other bodies' partner_professionals slots) under an active grant of appointments for appointment_booking to their body " +
                "(409 consent-required otherwise); a person books a person slot for themself without one. The companion must be one of " +
                "the person's companions; the referral, one of this person to the receiving body that was not declined, expired or " +
                "withdrawn. A full slot answers 409 slot-full. Accepts an Idempotency-Key header.")
            .Produces<AppointmentCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(BookAppointmentRequest request, Caller caller, IDocumentStore store, IQuerySession query,
        TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!BookingRules.MayBookAtAll(caller)) return Problems.Forbidden("Professionals and persons book appointments; administrators and partner systems do not.");
        var errors = BookAppointmentDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var personId = request.PersonId!.Value;
        if (caller.IsPerson && caller.PersonId != personId) return Problems.Forbidden("A person books appointments for themself only.");

        var batch = query.CreateBatchQuery();
        var slotTask = batch.Load<SlotEntry>(BookAppointmentDecider.SlotIdOf(request));
        var grantsTask = batch.Query<GrantCopy>().Where(g => g.PersonId == personId && g.Known).ToList();
        var companionsTask = batch.Query<CompanionCopy>().Where(c => c.PersonId == personId).ToList();
        var referralTask = batch.Load<ReferralCopy>(request.ReferralId ?? Guid.Empty);
        await batch.Execute(ct);
        var now = time.GetUtcNow();

        var slot = await slotTask;
        if (slot is null || !BookingRules.MayBook(caller, slot)) return Problems.Invalid("slotId", "No slot you may book has this id.");
        // Before anything about the person is checked: without consent a professional learns nothing of their companions or referrals.
        if (caller.IsProfessional && BookingRules.BookingConsent(await grantsTask, caller.BodyId!.Value, now) is null)
        {
            return Problems.Conflict("consent-required", "The person's consent is required",
                "Booking for a person needs their active grant of appointments, for appointment_booking, to your body.");
        }
        if (request.CompanionId is { } companionId)
        {
            var companion = BookingRules.ActiveCompanion(await companionsTask, personId, companionId, now);
            if (companion is null) return Problems.Invalid("companionId", "Not one of the person's current companions.");
            if (request.CompanionAttends == true && !companion.AttendsAppointments)
            {
                return Problems.Invalid("companionAttends", "The person did not choose this companion to attend appointments.");
            }
        }
        if (request.ReferralId is not null && (await referralTask)?.AllowsBookingAt(personId, slot.BodyId) != true)
        {
            return Problems.Invalid("referralId", BookAppointmentDecider.ReferralError);
        }
        if (slot.Closed) return Problems.Conflict("schedule-closed", "The slot's schedule is closed");
        if (!slot.IsBookableAt(now))
        {
            return Problems.Conflict("slot-not-bookable", "The slot cannot be booked now",
                "It is before the maximum or after the minimum booking delay of its schedule.");
        }

        var command = new BookAppointment(Guid.CreateVersion7(), personId, BookingRules.ActorOf(caller), slot, request.CompanionId,
            request.CompanionAttends ?? false, request.ReferralId, request.Note, now);
        var booked = BookAppointmentDecider.Decide(command);
        return await SeatTransactions.Retrying(store, async session =>
        {
            switch (await SeatTransactions.TakeSeat(session, slot, command.AppointmentId, personId, ct))
            {
                case SeatDecision.Full:
                    return Problems.Conflict("slot-full", "The slot is full", "Every seat of this slot is booked: choose another slot.");
                case SeatDecision.AlreadyBooked:
                    return Problems.Conflict("already-booked", "The person already has this slot");
                case SeatDecision.Closed:
                    return Problems.Conflict("schedule-closed", "The slot's schedule is closed");
            }
            session.Events.StartStream<Appointment>(command.AppointmentId, booked);
            // Booking makes both bodies involved with the person (DESIGN §4), in the booking's own transaction.
            List<InvolvementFact> involved = [InvolvementFact.Involved(personId, slot.BodyId, InvolvementKind.AppointmentHost, command.AppointmentId, now)];
            if (booked.BookedByBodyId is { } booker)
            {
                involved.Add(InvolvementFact.Involved(personId, booker, InvolvementKind.AppointmentBooker, command.AppointmentId, now));
            }
            await Involvements.WriteAsync(session, involved, ct);
            return await session.CreatedAsync(http, $"/appointments/{command.AppointmentId}",
                new AppointmentCreated(command.AppointmentId, slot.Id, slot.BodyId, slot.StartsAt, slot.EndsAt, AppointmentStatus.Booked), version: 1);
        }, ct);
    }
}
