using System.Net;
using Appointments.Api.Copies;
using Xunit;

namespace Appointments.Tests.Api;

/// <summary>Places and permanences as Directory publishes them for real, through its API and its outbox.</summary>
[Collection(AppointmentsCollection.Name)]
public sealed class DirectoryPlacesTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task APermanenceAddedInDirectory_BoundsTheSchedulesOpenedThere()
    {
        await WaitForBody(Mairie);
        var from = Day(5);
        var day = from.DayOfWeek.ToString().ToLowerInvariant();
        using var directory = await Fixture.AdminClient(Fixture.Directory);
        var added = await Json(await Post(directory, $"bodies/{Mairie}/places", new
        {
            name = Unique("Permanence CAF en mairie"),
            address = new { line = "Hôtel de ville, place de l'Hôtel de ville", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
            permanence = new { from = Iso(from), to = Iso(from.AddDays(21)), days = new[] { day }, opens = "14:00", closes = "17:00" },
        }), HttpStatusCode.Created);
        var placeId = added["id"]!.GetValue<Guid>();
        await Eventually(async s => await s.LoadAsync<PlaceCopy>(placeId) is { Permanence: not null }, "the place copy from Directory");

        using var admin = await Admin();
        await AssertInvalid(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(placeId, Unique("Permanence"), from, from.AddDays(21), start: "09:00", end: "12:00", days: [day])), "recurrence.startTime");
        var created = await Json(await Post(admin, $"bodies/{Mairie}/opening-schedules",
            ScheduleRequest(placeId, Unique("Permanence"), from, from.AddDays(21), start: "14:00", end: "17:00", duration: 90, days: [day])),
            HttpStatusCode.Created);
        Assert.Equal(4 * 2, created["slots"]!.GetValue<int>());
    }
}
