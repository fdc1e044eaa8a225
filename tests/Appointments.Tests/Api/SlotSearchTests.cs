using System.Net;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class SlotSearchTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Search_AcrossTheDstWeeks_GivesNineOClockParisAsItsUtcInstant()
    {
        await WaitForBody(Caf);
        var place = await Place(Caf);
        var motif = Unique("DST");
        using var admin = await Admin();
        // The last Sundays of March and of October 2027, with the days around them; bookable up to a year ahead.
        foreach (var (from, to) in new[] { (new DateOnly(2027, 3, 27), new DateOnly(2027, 3, 29)), (new DateOnly(2027, 10, 30), new DateOnly(2027, 11, 1)) })
        {
            await Json(await Post(admin, $"bodies/{Caf}/opening-schedules", ScheduleRequest(place, motif, from, to, start: "09:00", end: "10:00",
                maximumDelayDays: 366)), HttpStatusCode.Created);
        }

        using var adviser = await As(Adviser);
        var march = await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&from=2027-03-26T00:00:00Z&to=2027-03-31T00:00:00Z");
        Assert.Equal(["2027-03-27T08:00:00+00:00", "2027-03-28T07:00:00+00:00", "2027-03-29T07:00:00+00:00"],
            march.Select(s => s!["startsAt"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
        var october = await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&from=2027-10-29T00:00:00Z&to=2027-11-02T00:00:00Z");
        Assert.Equal(["2027-10-30T07:00:00+00:00", "2027-10-31T08:00:00+00:00", "2027-11-01T08:00:00+00:00"],
            october.Select(s => s!["startsAt"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Search_HonoursTheMinimumAndMaximumBookingDelays()
    {
        await WaitForBody(Caf);
        var place = await Place(Caf);
        var motif = Unique("Délais");
        using var admin = await Admin();
        // Slots every day from tomorrow for 20 days; bookable from 10 days before until 3 days before each slot.
        await Json(await Post(admin, $"bodies/{Caf}/opening-schedules", ScheduleRequest(place, motif, Day(1), Day(20), start: "09:00", end: "10:00",
            minimumDelayMinutes: 3 * 24 * 60, maximumDelayDays: 10)), HttpStatusCode.Created);

        using var adviser = await As(Adviser);
        var slots = await Slots(adviser, "motif=" + Uri.EscapeDataString(motif));
        var now = DateTimeOffset.UtcNow;
        Assert.NotEmpty(slots);
        Assert.All(slots, s =>
        {
            var start = s!["startsAt"]!.GetValue<DateTimeOffset>();
            Assert.InRange(start, now.AddDays(3), now.AddDays(10));
        });
        Assert.InRange(slots.Count, 6, 8);
    }

    [Fact]
    public async Task Search_OffersEachCallerTheSlotsTheyMayBook()
    {
        var membersOnly = await NewSchedule(Caf, bookableBy: ["body_members"]);
        var partnersOnly = await NewSchedule(Caf, bookableBy: ["partner_professionals"]);
        var personOnly = await NewSchedule(Caf, bookableBy: ["person"]);

        async Task<bool> Sees(string login, string motif)
        {
            using var client = await As(login);
            return (await Slots(client, "motif=" + Uri.EscapeDataString(motif))).Count > 0;
        }

        Assert.True(await Sees(CafAgent, membersOnly.Motif));
        Assert.False(await Sees(Adviser, membersOnly.Motif));
        Assert.False(await Sees(PersonLogin, membersOnly.Motif));
        Assert.True(await Sees(Adviser, partnersOnly.Motif));
        Assert.False(await Sees(CafAgent, partnersOnly.Motif));
        Assert.True(await Sees(PersonLogin, personOnly.Motif));
        Assert.False(await Sees(Adviser, personOnly.Motif));

        using var admin = await Admin();
        await AssertProblem(await admin.GetAsync(new Uri("slots", UriKind.Relative)), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Search_FiltersByBodyCommuneAndMode_AndShowsNoStreetAddress()
    {
        var (_, motif, _) = await NewSchedule(Caf, mode: "phone");
        using var adviser = await As(Adviser);
        var slots = await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&bodyId={Caf}&commune=11262&mode=phone");
        Assert.Equal(3 * 3, slots.Count);
        Assert.All(slots, s => Assert.Null(s!["addressLine"]));
        Assert.Empty(await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&mode=video"));
        Assert.Empty(await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&commune=11069"));
        Assert.Empty(await Slots(adviser, $"motif={Uri.EscapeDataString(motif)}&bodyId={Ccas}"));
    }

    [Theory]
    [InlineData("mode=by_pigeon", "mode")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=9999-12-31T23:59:59Z", "from")]
    [InlineData("from=9999-12-31T23:59:59Z&to=not-a-date", "from")]
    [InlineData("from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z", "to")]
    [InlineData("bodyId=nope", "bodyId")]
    [InlineData("commune=1", "commune")]
    [InlineData("pageSize=1000", "pageSize")]
    public async Task Search_WithBadInput_Answers400NamingTheParameter(string query, string field)
    {
        using var adviser = await As(Adviser);
        await AssertInvalid(await adviser.GetAsync(new Uri("slots?" + query, UriKind.Relative)), field);
    }
}
