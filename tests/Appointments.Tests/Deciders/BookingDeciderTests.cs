using Appointments.Api;
using Appointments.Api.Bookings;
using Appointments.Api.Bookings.Cancelling;
using Appointments.Api.Bookings.RecordingAttendance;
using Appointments.Api.Copies;
using Appointments.Api.Schedules;
using Appointments.Api.Schedules.Opening;
using Appointments.Api.Slots;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Security;
using Directory.Contracts;
using Xunit;

namespace Appointments.Tests.Deciders;

public sealed class BookingDeciderTests
{
    private static readonly Guid Person = Guid.CreateVersion7();
    private static readonly Guid Host = Guid.CreateVersion7();
    private static readonly Guid Booker = Guid.CreateVersion7();
    private static readonly DateTimeOffset Now = new(2027, 1, 4, 10, 0, 0, TimeSpan.Zero);

    private static Appointment Booked() => new(Guid.CreateVersion7(), Person, Host, Booker, Guid.CreateVersion7(), Guid.CreateVersion7(),
        Guid.CreateVersion7(), Now.AddDays(2), Now.AddDays(2).AddHours(1), "RSA", Mode.InPerson, null, false, null, AppointmentStatus.Booked,
        null, null, null);

    private static Caller Professional(Guid body, string role = "france_services_adviser") => new("sub-" + role, role, null, body, null);

    private static SlotEntry Slot(bool members, bool partners, bool person) => new(Guid.CreateVersion7(), Guid.CreateVersion7(), Host, "CAF",
        Guid.CreateVersion7(), "Accueil", "Narbonne", "11262", "11100", "RSA", Mode.InPerson, Now.AddDays(2), Now.AddDays(2).AddHours(1), 2, 2,
        members, partners, person, Now.AddDays(-58), Now.AddDays(2), false);

    [Fact]
    public void GivenASlotFull_WhenTakingASeat_ThenFull_AndTheSamePersonTwice_ThenAlreadyBooked()
    {
        var seats = new SlotSeats(Guid.NewGuid(), [new Seat(Guid.NewGuid(), Person)]);
        Assert.Equal(SeatDecision.AlreadyBooked, BookingRules.Seat(seats, 2, Person));
        Assert.Equal(SeatDecision.Take, BookingRules.Seat(seats, 2, Guid.NewGuid()));
        Assert.Equal(SeatDecision.Full, BookingRules.Seat(seats, 1, Guid.NewGuid()));
        Assert.Equal(SeatDecision.Take, BookingRules.Seat(null, 1, Person));
    }

    [Fact]
    public void GivenWhoMayBook_WhenAProfessionalOrAPersonAsks_ThenOnlyTheirKindOfSlot()
    {
        var person = new Caller("p", "person", null, null, Person);
        Assert.True(BookingRules.MayBook(person, Slot(false, false, true)));
        Assert.False(BookingRules.MayBook(person, Slot(true, true, false)));
        Assert.True(BookingRules.MayBook(Professional(Host), Slot(true, false, false)));
        Assert.False(BookingRules.MayBook(Professional(Host), Slot(false, true, true)));
        Assert.True(BookingRules.MayBook(Professional(Booker), Slot(false, true, false)));
        Assert.False(BookingRules.MayBook(Professional(Booker), Slot(true, false, true)));
        Assert.False(BookingRules.MayBookAtAll(new Caller("admin", "admin", null, null, null)));
    }

    [Fact]
    public void GivenGrants_WhenBooking_ThenOnlyAnActiveAppointmentBookingGrantToTheBookingBodyCounts()
    {
        GrantCopy Grant(Guid body, string purpose, string[] categories, DateTimeOffset? revoked = null) =>
            new(Guid.CreateVersion7(), Person, body, categories, purpose, Now.AddDays(-1), Now.AddDays(30), revoked, null, true);

        Assert.Null(BookingRules.BookingConsent([Grant(Booker, "follow_up_coordination", ["appointments"])], Booker, Now));
        Assert.Null(BookingRules.BookingConsent([Grant(Host, "appointment_booking", ["appointments"])], Booker, Now));
        Assert.Null(BookingRules.BookingConsent([Grant(Booker, "appointment_booking", ["identity"])], Booker, Now));
        Assert.Null(BookingRules.BookingConsent([Grant(Booker, "appointment_booking", ["appointments"], Now.AddMinutes(-1))], Booker, Now));
        var good = Grant(Booker, "appointment_booking", ["identity", "appointments"]);
        Assert.Equal(good.Id, BookingRules.BookingConsent([good], Booker, Now));
    }

    [Fact]
    public void GivenABookedAppointment_WhenCancelled_ThenWhoCancelsFollowsTheCaller_AndOnlyOnce()
    {
        var a = Booked();
        Assert.Equal(CancelledBy.Person, CancelAppointmentDecider.CancelledByOf(new Caller("p", "person", null, null, Person), a));
        Assert.Equal(CancelledBy.BookingBody, CancelAppointmentDecider.CancelledByOf(Professional(Booker), a));
        Assert.Equal(CancelledBy.ReceivingBody, CancelAppointmentDecider.CancelledByOf(Professional(Host, "social_worker"), a));
        Assert.Null(CancelAppointmentDecider.CancelledByOf(Professional(Guid.CreateVersion7()), a));

        var cancelled = CancelAppointmentDecider.Decide(a, new CancelAppointment(a.Id, CancelledBy.Person, CancelReason.PersonUnavailable,
            new Actor("p", "person", null), Now));
        Assert.NotNull(cancelled);
        Assert.Null(CancelAppointmentDecider.Decide(a.Apply(cancelled), new CancelAppointment(a.Id, CancelledBy.Person, CancelReason.Other,
            new Actor("p", "person", null), Now)));
    }

    [Theory]
    [InlineData(AttendanceOutcome.Seen, typeof(AppointmentAttended), null)]
    [InlineData(AttendanceOutcome.Noshow, typeof(AppointmentMissed), false)]
    [InlineData(AttendanceOutcome.Excused, typeof(AppointmentMissed), true)]
    public void GivenABookedAppointment_WhenAttendanceIsRecorded_ThenTheOutcomeEvent(AttendanceOutcome outcome, Type expected, bool? excused)
    {
        var e = RecordAttendanceDecider.Decide(Booked(), new RecordAttendance(Guid.NewGuid(), outcome, new Actor("s", "social_worker", Host), Now));
        Assert.IsType(expected, e);
        if (e is AppointmentMissed missed) Assert.Equal(excused, missed.Excused);
    }

    [Fact]
    public void GivenACancelledAppointment_WhenAttendanceIsRecorded_ThenNothing()
    {
        var a = Booked() with { Status = AppointmentStatus.Cancelled };
        Assert.Null(RecordAttendanceDecider.Decide(a, new RecordAttendance(a.Id, AttendanceOutcome.Seen, new Actor("s", "social_worker", Host), Now)));
    }

    [Fact]
    public void GivenAPermanence_WhenAScheduleGoesBeyondIt_ThenEachFieldIsNamed()
    {
        var permanence = new Permanence(new DateOnly(2027, 2, 1), new DateOnly(2027, 2, 28), [DayOfWeek.Thursday], new TimeOnly(9, 0), new TimeOnly(12, 0));
        var place = new PlaceCopy(Guid.CreateVersion7(), Host, "Permanence", null, "11100", "Narbonne", "11262", permanence);
        OpenSchedule Command(Recurrence r) => new(Guid.CreateVersion7(), Host, place.Id, "RSA", Mode.InPerson, 30, 1, [BookableBy.Person],
            new BookingDelays(0, 60), r, "s", Now);

        Assert.Empty(OpenScheduleDecider.Check(Command(new Recurrence([DayOfWeek.Thursday], new TimeOnly(9, 0), new TimeOnly(12, 0),
            new DateOnly(2027, 2, 4), new DateOnly(2027, 2, 25))), place));
        var errors = OpenScheduleDecider.Check(Command(new Recurrence([DayOfWeek.Thursday, DayOfWeek.Friday], new TimeOnly(8, 30),
            new TimeOnly(12, 30), new DateOnly(2027, 1, 28), new DateOnly(2027, 3, 4))), place);
        Assert.Equal(["recurrence.days", "recurrence.endTime", "recurrence.from", "recurrence.startTime", "recurrence.to"], errors.Keys.Order());
        Assert.Contains("placeId", OpenScheduleDecider.Check(Command(new Recurrence([DayOfWeek.Thursday], new TimeOnly(9, 0), new TimeOnly(12, 0),
            new DateOnly(2027, 2, 4), new DateOnly(2027, 2, 25))), place with { BodyId = Booker }).Keys);
    }

    [Fact]
    public void GivenReferralMessagesInAnyOrder_WhenMerged_ThenAFinalStatusIsNeverReplaced()
    {
        var sent = new ReferralCopy(Guid.NewGuid(), Person, Booker, Host, ReferralCopy.Sent, true);
        Assert.True(sent.AllowsBookingAt(Person, Host));
        Assert.False(sent.AllowsBookingAt(Person, Booker));
        Assert.False(sent.AllowsBookingAt(Guid.NewGuid(), Host));
        Assert.True(sent.Moved("accepted").AllowsBookingAt(Person, Host));
        Assert.False(sent.Moved("declined").AllowsBookingAt(Person, Host));
        Assert.Equal("declined", sent.Moved("declined").Moved("accepted").Status);
        Assert.Equal("withdrawn", sent.Moved("accepted").Moved("withdrawn").Moved("closed").Status);
        Assert.True(sent.Moved("closed").AllowsBookingAt(Person, Host));
        Assert.False((sent with { Known = false }).AllowsBookingAt(Person, Host));
    }
}
