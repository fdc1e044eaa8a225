using System.Net;
using Coordination.Testing;
using Directory.Contracts;
using Npgsql;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class ScheduleTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Open_ByTheBodysCoordinator_DerivesSlots_AndOthersGet403()
    {
        await WaitForBody(Ccas);
        var place = await Place(Ccas);
        var motif = Unique("Aide CCAS");
        var request = ScheduleRequest(place, motif, Day(2), Day(3), start: "09:00", end: "11:00", duration: 30);

        using var coordinator = await As(Coordinator);
        var response = await Post(coordinator, $"bodies/{Ccas}/opening-schedules", request);
        var created = await Json(response, HttpStatusCode.Created);
        Assert.Equal(8, created["slots"]!.GetValue<int>());
        Assert.Equal("\"1\"", ETag(response));

        using var socialWorker = await As(SocialWorker);
        await AssertProblem(await Post(socialWorker, $"bodies/{Ccas}/opening-schedules", request), HttpStatusCode.Forbidden);
        await AssertProblem(await Post(coordinator, $"bodies/{Caf}/opening-schedules", request), HttpStatusCode.Forbidden);

        var list = await Get(coordinator, $"bodies/{Ccas}/opening-schedules?pageSize=100");
        Assert.Contains(list["items"]!.AsArray(), s => s!["motif"]!.GetValue<string>() == motif);
    }

    [Fact]
    public async Task Open_AtAPermanence_MustLieWithinItsDatesDaysAndHours()
    {
        await WaitForBody(Mairie);
        var from = Day(3);
        var permanence = new Permanence(from, from.AddDays(27), [from.DayOfWeek], new TimeOnly(9, 0), new TimeOnly(12, 0));
        var place = await Place(Mairie, permanence);
        using var admin = await Admin();
        var day = from.DayOfWeek.ToString().ToLowerInvariant();

        await AssertInvalid(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(place, Unique("Permanence"), from, from.AddDays(28), days: [day])), "recurrence.to");
        await AssertInvalid(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(place, Unique("Permanence"), from, from.AddDays(14), start: "08:00", days: [day])), "recurrence.startTime");
        await AssertInvalid(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(place, Unique("Permanence"), from, from.AddDays(14), end: "12:30", days: [day])), "recurrence.endTime");
        await AssertInvalid(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(place, Unique("Permanence"), from, from.AddDays(14), days: [day, from.AddDays(1).DayOfWeek.ToString().ToLowerInvariant()])),
            "recurrence.days");
        var ok = await Json(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(place, Unique("Permanence"), from, from.AddDays(14), days: [day])), HttpStatusCode.Created);
        Assert.Equal(9, ok["slots"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"motif":"RSA","mode":"in_person","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "placeId")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"by_pigeon","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "mode")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":2,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "durationMinutes")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"capacity":0,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "capacity")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":[],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "bookableBy")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"12:00","endTime":"09:00","from":"2030-01-01","to":"2030-01-31"}}""", "recurrence.endTime")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-31","to":"2030-01-01"}}""", "recurrence.to")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["lundi"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "recurrence.days[0]")]
    [InlineData("""{"placeId":"PLACE","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":["person"],"minimumDelayMinutes":2880,"maximumDelayDays":1,"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "maximumDelayDays")]
    [InlineData("""{"placeId":"00000000-0000-0000-0000-000000000001","motif":"RSA","mode":"phone","durationMinutes":30,"bookableBy":["person"],"recurrence":{"days":["monday"],"startTime":"09:00","endTime":"12:00","from":"2030-01-01","to":"2030-01-31"}}""", "placeId")]
    public async Task Open_WithBadInput_Answers400NamingTheField(string body, string field)
    {
        await WaitForBody(Caf);
        var place = await Place(Caf);
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, $"bodies/{Caf}/opening-schedules", body.Replace("PLACE", place.ToString(),
            StringComparison.Ordinal)), field);
    }

    [Fact]
    public async Task Open_ForAnUnknownBody_Answers404()
    {
        using var admin = await Admin();
        await AssertProblem(await Post(admin, $"bodies/{Guid.CreateVersion7()}/opening-schedules",
            ScheduleRequest(Guid.CreateVersion7(), "RSA", Day(2), Day(3))), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Close_NeedsIfMatch_StopsNewSlots_AndKeepsWhatIsBooked()
    {
        var booked = await NewBooking();
        using var admin = await Admin();
        var url = $"bodies/{Caf}/opening-schedules/{booked.ScheduleId}/close";

        await AssertProblem(await Post(admin, url), HttpStatusCode.PreconditionRequired, "precondition-required");
        await AssertProblem(await Post(admin, url, ifMatch: "\"7\""), HttpStatusCode.PreconditionFailed, "precondition-failed");
        using var caf = await As(CafAgent);
        await AssertProblem(await Post(caf, url, ifMatch: "\"1\""), HttpStatusCode.Forbidden);

        var closed = await Post(admin, url, ifMatch: "\"1\"");
        Assert.True((await Json(closed, HttpStatusCode.OK))["closed"]!.GetValue<bool>());
        Assert.Equal("\"2\"", ETag(closed));
        await AssertProblem(await Post(admin, url, ifMatch: "\"2\""), HttpStatusCode.Conflict, "illegal-transition");

        using var adviser = await As(Adviser);
        Assert.Empty(await Slots(adviser, "motif=" + Uri.EscapeDataString(booked.Motif)));
        var appointment = await Get(adviser, $"appointments/{booked.Id}");
        Assert.Equal("booked", appointment["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABookingRacingTheClosingOfItsSlot_WaitsForIt_AndIsRefused()
    {
        var person = await NewPerson();
        await Grant(person, FranceServices);
        var (_, motif, _) = await NewSchedule(Caf);
        var slot = await FirstSlot(motif);

        // A closing in flight: the slot's row is closed but not yet committed, as the close endpoint's patch holds it.
        await using var closing = new NpgsqlConnection(Fixture.Database.ConnectionString);
        await closing.OpenAsync();
        await using var transaction = await closing.BeginTransactionAsync();
        await using (var close = new NpgsqlCommand(
            "update appointments.mt_doc_slot set data = jsonb_set(data, '{closed}', 'true'), closed = true where id = $1", closing, transaction))
        {
            close.Parameters.Add(new NpgsqlParameter { Value = slot });
            Assert.Equal(1, await close.ExecuteNonQueryAsync());
        }

        using var adviser = await As(Adviser);
        var booking = Post(adviser, "appointments", new { slotId = slot, personId = person });
        // The booking has read the slot as open and now waits on its row.
        await CoordinationFixture.AssertEventually(async () => await Fixture.Database.Scalar<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") > 0,
            TimeSpan.FromSeconds(20), "the booking waiting for the slot's row");
        await transaction.CommitAsync();

        await AssertProblem(await booking, HttpStatusCode.Conflict, "schedule-closed");
        Assert.Equal(0, await Fixture.Database.Scalar<long>(
            $"select count(*) from appointments.mt_events where stream_id = '{slot}' and type = 'seat_taken'"));
    }
}
