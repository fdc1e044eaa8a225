using System.Net;
using Appointments.Contracts;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class LifecycleTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Reschedule_ByTheBookingBody_MovesTheSeat_AndTheReceivingBodyMayNot()
    {
        var booked = await NewBooking();
        using var adviser = await As(Adviser);
        var slots = await Slots(adviser, "motif=" + Uri.EscapeDataString(booked.Motif));
        var other = slots.First(s => s!["id"]!.GetValue<Guid>() != booked.SlotId)!["id"]!.GetValue<Guid>();
        var url = $"appointments/{booked.Id}/reschedule";

        using var caf = await As(CafAgent);
        await AssertProblem(await Post(caf, url, new { slotId = other }, "\"1\""), HttpStatusCode.Forbidden);
        using var mairie = await As(MairieSecretary);
        await AssertProblem(await Post(mairie, url, new { slotId = other }, "\"1\""), HttpStatusCode.NotFound, "not-found");
        await AssertProblem(await Post(adviser, url, new { slotId = other }), HttpStatusCode.PreconditionRequired);
        await AssertProblem(await Post(adviser, url, new { slotId = other }, "\"5\""), HttpStatusCode.PreconditionFailed);
        await AssertInvalid(await Post(adviser, url, new { slotId = booked.SlotId }, "\"1\""), "slotId");
        var elsewhere = await NewSchedule(Ccas, bookableBy: ["partner_professionals"]);
        await AssertInvalid(await Post(adviser, url, new { slotId = await FirstSlot(elsewhere.Motif) }, "\"1\""), "slotId");

        var moved = await Post(adviser, url, new { slotId = other }, "\"1\"");
        var body = await Json(moved, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(moved));
        var after = await Slots(adviser, "motif=" + Uri.EscapeDataString(booked.Motif));
        Assert.Contains(after, s => s!["id"]!.GetValue<Guid>() == booked.SlotId);
        Assert.DoesNotContain(after, s => s!["id"]!.GetValue<Guid>() == other);
        var appointment = await Get(adviser, $"appointments/{booked.Id}");
        Assert.Equal(body["startsAt"]!.GetValue<DateTimeOffset>(), appointment["startsAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Reschedule_ByThePerson_ToAnotherPersonSlot()
    {
        await EnsureDemoPerson();
        var (_, motif, _) = await NewSchedule(Caf, bookableBy: ["person"]);
        using var person = await As(PersonLogin);
        var slots = await Slots(person, "motif=" + Uri.EscapeDataString(motif));
        var (id, etag) = await Book(person, slots[0]!["id"]!.GetValue<Guid>(), Coordination.ServiceDefaults.Demo.DemoData.Person);

        var moved = await Json(await Post(person, $"appointments/{id}/reschedule", new { slotId = slots[1]!["id"]!.GetValue<Guid>() }, etag),
            HttpStatusCode.OK);
        Assert.Equal(slots[1]!["startsAt"]!.GetValue<DateTimeOffset>(), moved["startsAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, moved["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cancel_TellsWhoCancelled_GivesTheSeatBack_AndThenNothingMoves()
    {
        var booked = await NewBooking();
        using var caf = await As(CafAgent);
        var url = $"appointments/{booked.Id}/cancel";

        await AssertInvalid(await Post(caf, url, new { reasonCode = "bored" }, "\"1\""), "reasonCode");
        await AssertInvalid(await Post(caf, url, new { }, "\"1\""), "reasonCode");
        var cancelled = await Json(await Post(caf, url, new { reasonCode = "body_unavailable" }, "\"1\""), HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());

        using var adviser = await As(Adviser);
        var appointment = await Get(adviser, $"appointments/{booked.Id}");
        Assert.Equal("receiving_body", appointment["cancelledBy"]!.GetValue<string>());
        Assert.Equal("body_unavailable", appointment["cancelReason"]!.GetValue<string>());
        Assert.Contains(await Slots(adviser, "motif=" + Uri.EscapeDataString(booked.Motif)), s => s!["id"]!.GetValue<Guid>() == booked.SlotId);

        var again = await AssertProblem(await Post(adviser, url, new { reasonCode = "other" }, "\"2\""), HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("cancelled", again["currentStatus"]!.GetValue<string>());
        var attendance = await AssertProblem(await Post(caf, $"appointments/{booked.Id}/attendance", new { outcome = "seen" }, "\"2\""),
            HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("cancelled", attendance["currentStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_ByThePersonAndByTheBookingBody_IsRecordedAsSuch()
    {
        await EnsureDemoPerson();
        var (_, motif, _) = await NewSchedule(Caf, bookableBy: ["person"]);
        using var person = await As(PersonLogin);
        var (own, _) = await Book(person, await FirstSlot(motif, PersonLogin), Coordination.ServiceDefaults.Demo.DemoData.Person);
        await Json(await Post(person, $"appointments/{own}/cancel", new { reasonCode = "person_unavailable" }, "\"1\""), HttpStatusCode.OK);
        Assert.Equal("person", (await Get(person, $"appointments/{own}"))["cancelledBy"]!.GetValue<string>());

        var booked = await NewBooking();
        using var adviser = await As(Adviser);
        await Json(await Post(adviser, $"appointments/{booked.Id}/cancel", new { reasonCode = "no_longer_needed" }, "\"1\""), HttpStatusCode.OK);
        Assert.Equal("booking_body", (await Get(adviser, $"appointments/{booked.Id}"))["cancelledBy"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("seen", "attended", null)]
    [InlineData("noshow", "missed", false)]
    [InlineData("excused", "missed", true)]
    public async Task Attendance_ByTheReceivingBody_RecordsTheOutcome_AndPublishesIt(string outcome, string status, bool? excused)
    {
        var booked = await NewBooking();
        var url = $"appointments/{booked.Id}/attendance";
        using var adviser = await As(Adviser);
        await AssertProblem(await Post(adviser, url, new { outcome }, "\"1\""), HttpStatusCode.Forbidden);
        using var caf = await As(CafAgent);
        await AssertInvalid(await Post(caf, url, new { outcome = "maybe" }, "\"1\""), "outcome");

        var recorded = await Post(caf, url, new { outcome }, "\"1\"");
        Assert.Equal(status, (await Json(recorded, HttpStatusCode.OK))["status"]!.GetValue<string>());
        var appointment = await Get(caf, $"appointments/{booked.Id}");
        Assert.Equal(status, appointment["status"]!.GetValue<string>());
        if (excused is not null) Assert.Equal(excused, appointment["excused"]!.GetValue<bool>());

        // The outbox maps the outcome to its contract (without the note).
        var map = new Appointments.Api.Messaging.AppointmentsContracts();
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(booked.Id);
        var contract = map.ToContract(events[^1]);
        if (status == "attended") Assert.IsType<AppointmentAttended>(contract);
        else Assert.Equal(excused, Assert.IsType<AppointmentMissed>(contract).Excused);
        Assert.IsType<AppointmentBooked>(map.ToContract(events[0]));
    }
}
