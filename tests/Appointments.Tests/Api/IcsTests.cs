using System.Net;
using Ical.Net;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class IcsTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Ics_ParsesBackWithThePlaceTheModeAndTheCompanion()
    {
        var person = await NewPerson();
        var companion = await Companion(person, "Malik Haddad");
        var booked = await NewBooking(companionId: companion, companionAttends: true, personId: person);
        using var adviser = await As(Adviser);
        var appointment = await Get(adviser, $"appointments/{booked.Id}");

        var response = await adviser.GetAsync(new Uri($"appointments/{booked.Id}/ics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var calendar = Calendar.Load(await response.Content.ReadAsStringAsync())!;

        var e = Assert.Single(calendar.Events);
        Assert.Equal(booked.Id.ToString(), e.Uid);
        Assert.Equal(appointment["startsAt"]!.GetValue<DateTimeOffset>().UtcDateTime, e.Start!.AsUtc);
        Assert.Equal(appointment["endsAt"]!.GetValue<DateTimeOffset>().UtcDateTime, e.End!.AsUtc);
        Assert.Contains("12 rue Jean Jaurès", e.Location, StringComparison.Ordinal);
        Assert.Contains("11100 Narbonne", e.Location, StringComparison.Ordinal);
        Assert.Contains(booked.Motif, e.Summary, StringComparison.Ordinal);
        Assert.Contains("Sur place", e.Description, StringComparison.Ordinal);
        Assert.Contains("Accompagnant présent : Malik Haddad", e.Description, StringComparison.Ordinal);
        Assert.Equal("in_person", e.Properties["X-COORDINATION-MODE"]?.Value?.ToString());
        Assert.Equal("CONFIRMED", e.Status);
    }

    [Fact]
    public async Task Ics_FollowsTheReadingRules_AndIsLogged()
    {
        var booked = await NewBooking();
        var before = (await Reads(booked.PersonId)).Count;
        using var mairie = await As(MairieSecretary);
        await AssertProblem(await mairie.GetAsync(new Uri($"appointments/{booked.Id}/ics", UriKind.Relative)), HttpStatusCode.NotFound);
        using var adviser = await As(Adviser);
        Assert.Equal(HttpStatusCode.OK, (await adviser.GetAsync(new Uri($"appointments/{booked.Id}/ics", UriKind.Relative))).StatusCode);
        var reads = await Reads(booked.PersonId);
        Assert.Equal(before + 2, reads.Count);
        Assert.Equal(["consent", "denied"], reads.Skip(before).Select(r => r.Basis).Order());
    }
}
