using System.Net;
using Appointments.Contracts;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;
using MassTransit;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>Appointments booked for a referral come back as outcomes in that referral's history, and feed the follow-up view.</summary>
[Collection(ReferralsCollection.Name)]
public sealed class ClosedLoopTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private async Task<Guid> Book(Guid personId, Guid bodyId, Guid? referralId, DateTimeOffset startsAt, Guid? bookedBy = null)
    {
        var appointmentId = Guid.CreateVersion7();
        await Publish(new AppointmentBooked(appointmentId, personId, bodyId, bookedBy ?? FranceServices, "adviser", referralId, null, startsAt,
            startsAt.AddMinutes(30), "in_person", "Ouverture de droits RSA", DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<AppointmentCopy>(appointmentId))?.Known == true
            && await s.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, bodyId, InvolvementKind.AppointmentHost, appointmentId)) is not null,
            "the appointment copy");
        return appointmentId;
    }

    [Fact]
    public async Task AttendedAndMissedAppointmentsOfAReferral_AreAddedToItsHistory_Once()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var referral = await SendReferral(SocialWorker, personId, Caf);
        await Json(await Transition(CafAgent, referral, "accept"), HttpStatusCode.OK);
        var missed = await Book(personId, Caf, referral, DateTimeOffset.UtcNow.AddDays(-3));
        var attended = await Book(personId, Caf, referral, DateTimeOffset.UtcNow.AddDays(-1));

        var missedMessage = new AppointmentMissed(missed, personId, Caf, referral, true, DateTimeOffset.UtcNow.AddDays(-3));
        var missedId = Guid.CreateVersion7();
        await Bus.Publish(missedMessage, c => c.MessageId = missedId);
        await Bus.Publish(missedMessage, c => c.MessageId = missedId);
        var attendedMessage = new AppointmentAttended(attended, personId, Caf, referral, DateTimeOffset.UtcNow.AddDays(-1));
        var attendedId = Guid.CreateVersion7();
        await Bus.Publish(attendedMessage, c => c.MessageId = attendedId);
        await Bus.Publish(attendedMessage, c => c.MessageId = attendedId);

        await Eventually(async s => (await s.LoadAsync<ReferralDetails>(referral))!.History.Count(h => h.Kind is ReferralStepKind.AppointmentAttended) == 1
            && (await s.LoadAsync<ReferralDetails>(referral))!.History.Any(h => h.Kind is ReferralStepKind.AppointmentMissed), "the outcomes in the referral");
        await Task.Delay(1500);
        var details = await Details(referral);
        Assert.Equal(1, details.History.Count(h => h.Kind == ReferralStepKind.AppointmentMissed));
        Assert.Equal(1, details.History.Count(h => h.Kind == ReferralStepKind.AppointmentAttended));
        Assert.Equal(Referrals.Api.ReferralStatus.Accepted, details.Status);

        // The sender sees the loop closed, and can then close the referral with the CAF's outcome.
        using var ccas = await As(SocialWorker);
        var read = await Json(await Get(ccas, $"referrals/{referral}"), HttpStatusCode.OK);
        // The two outcomes travel on two queues: their relative order is the order they arrived in.
        var history = read["history"]!.AsArray().Select(h => h!).ToList();
        Assert.Equal(["sent", "accepted"], history.Take(2).Select(h => h["kind"]!.GetValue<string>()));
        Assert.Equal(["appointment_attended", "appointment_missed"], history.Skip(2).Select(h => h["kind"]!.GetValue<string>()).Order());
        Assert.Equal(attended, history.Single(h => h["kind"]!.GetValue<string>() == "appointment_attended")["relatedId"]!.GetValue<Guid>());
        Assert.Equal("excused", history.Single(h => h["kind"]!.GetValue<string>() == "appointment_missed")["code"]!.GetValue<string>());
        await Json(await Transition(CafAgent, referral, "close", new { outcome = "right_opened" }), HttpStatusCode.OK);

        var followUp = await Json(await Get(ccas, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        var past = followUp["appointments"]!["past"]!.AsArray();
        Assert.Equal([attended, missed], past.Select(a => a!["id"]!.GetValue<Guid>()));
        Assert.Equal(("attended", referral), (past[0]!["state"]!.GetValue<string>(), past[0]!["referralId"]!.GetValue<Guid>()));
        Assert.Equal("missed", past[1]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnOutcomeWithoutAReferral_OrForAnotherPersonsReferral_OnlyUpdatesTheAppointment()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var stranger = await PersonWithGrants(Ccas, Caf);
        var referral = await SendReferral(SocialWorker, stranger, Caf);
        var plain = await Book(personId, Caf, null, DateTimeOffset.UtcNow.AddDays(-1));
        var wrong = await Book(personId, Caf, referral, DateTimeOffset.UtcNow.AddDays(-2));

        await Publish(new AppointmentAttended(plain, personId, Caf, null, DateTimeOffset.UtcNow));
        await Publish(new AppointmentAttended(wrong, personId, Caf, referral, DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<AppointmentCopy>(plain))?.State == AppointmentState.Attended
            && (await s.LoadAsync<AppointmentCopy>(wrong))?.State == AppointmentState.Attended, "the outcomes");

        Assert.Single((await Details(referral)).History);
    }

    [Fact]
    public async Task UpcomingAppointments_FollowReschedulingAndCancellation_InAnyOrder()
    {
        var personId = await PersonWithGrants(Ccas);
        var soon = DateTimeOffset.UtcNow.AddDays(5);
        var moved = await Book(personId, Ccas, null, soon, Ccas);
        var cancelled = await Book(personId, Ccas, null, soon.AddDays(1), Ccas);

        await Publish(new AppointmentRescheduled(moved, personId, Ccas, null, soon.AddDays(7), soon.AddDays(7).AddMinutes(30), DateTimeOffset.UtcNow));
        await Publish(new AppointmentCancelled(cancelled, personId, Ccas, null, "person", "person_unavailable", DateTimeOffset.UtcNow));
        // An older rescheduling arriving late changes nothing.
        await Publish(new AppointmentRescheduled(moved, personId, Ccas, null, soon.AddDays(2), soon.AddDays(2).AddMinutes(30), DateTimeOffset.UtcNow.AddMinutes(-5)));
        // An outcome that arrives before its booking is kept when the booking comes.
        var early = Guid.CreateVersion7();
        await Publish(new AppointmentCancelled(early, personId, Ccas, null, "booking_body", "no_longer_needed", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<AppointmentCopy>(early) is not null, "the early cancellation");
        await Publish(new AppointmentBooked(early, personId, Ccas, Ccas, "sw", null, null, soon, soon.AddHours(1), "phone", "Bilan", DateTimeOffset.UtcNow.AddMinutes(-1)));
        await Eventually(async s => (await s.LoadAsync<AppointmentCopy>(early))?.Known == true
            && (await s.LoadAsync<AppointmentCopy>(cancelled))?.State == AppointmentState.Cancelled
            && (await s.LoadAsync<AppointmentCopy>(moved))?.StartsAt == soon.AddDays(7), "the appointment copies");
        await Task.Delay(1000);

        using var ccas = await As(SocialWorker);
        var followUp = await Json(await Get(ccas, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        var upcoming = followUp["appointments"]!["upcoming"]!.AsArray();
        Assert.Equal([moved], upcoming.Select(a => a!["id"]!.GetValue<Guid>()));
        Assert.Equal(soon.AddDays(7), upcoming[0]!["startsAt"]!.GetValue<DateTimeOffset>());
        var past = followUp["appointments"]!["past"]!.AsArray();
        Assert.Equal(new[] { cancelled, early }.Order(), past.Select(a => a!["id"]!.GetValue<Guid>()).Order());
        Assert.All(past, a => Assert.Equal("cancelled", a!["state"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AnAppointmentAtASensitiveBody_IsShownOnlyToTheBodiesConcerned()
    {
        var clinic = await NewBody("CSAPA", sensitive: true);
        var personId = await PersonWithGrants(Ccas, Caf);
        await SendReferral(SocialWorker, personId, Caf);
        var atClinic = await Book(personId, clinic, null, DateTimeOffset.UtcNow.AddDays(3), Ccas);

        using var ccas = await As(SocialWorker);
        var booker = await Json(await Get(ccas, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        Assert.Contains(atClinic, booker["appointments"]!["upcoming"]!.AsArray().Select(a => a!["id"]!.GetValue<Guid>()));

        using var caf = await As(CafAgent);
        var other = await Json(await Get(caf, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        Assert.Empty(other["appointments"]!["upcoming"]!.AsArray());
        Assert.DoesNotContain(atClinic.ToString(), other.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(other["categoriesWithheld"]!.AsArray());
        Assert.Contains(Categories.Appointments, Strings(other["categoriesShown"]));
    }
}
