using System.Net;
using System.Text.Json.Nodes;
using Appointments.Api.Bookings.GettingDetails;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.Testing;
using Identity.Api.Accounts;
using Marten;
using Referrals.Api;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;
using Xunit.Abstractions;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests.Api;

/// <summary>
/// The proof (issue 10): a canary planted in every free-text and identity field of one person is nowhere to be found
/// once the person is erased — not in any table of any schema of the fixture's databases, not in any queue of its vhost
/// (<c>_error</c> included), not in any service's logs, not in any span — while a second person's data is untouched and
/// the rights-opened statistics have not moved.
/// </summary>
[Collection(PrivacyCollection.Name)]
public sealed class ErasureProofTests(PrivacyFixture fixture, ITestOutputHelper output)
{
    /// <summary>The marker in every name and free text, the phone numbers' digits, the birth date.</summary>
    private static readonly Marks Canary = new("Zqcanary7", new DateOnly(1931, 2, 17), "+33698765431", "+33698765432");

    private static readonly string[] Needles = ["zqcanary7", "69876543", "1931-02-17"];

    private static readonly Marks Control = new("Zqcontrol7", new DateOnly(1932, 3, 18), null, null);

    [Fact]
    public async Task ErasingAPerson_LeavesNoTraceOfTheCanaryAnywhere_AndChangesNothingElse()
    {
        var control = await Stories.LiveAsync(fixture, Control);
        var person = await Stories.LiveAsync(fixture, Canary, closedReferrals: 5);
        using var self = fixture.Client(fixture.Consents, person.AccessToken);
        // The export carries everything across the services (the only contract that does), and is kept 24 hours.
        var export = await Stories.ExportAsync(fixture, self, "me/export");
        Assert.Contains(Canary.Booking, export.ToJsonString(), StringComparison.Ordinal);

        // Before: the canary is everywhere the person's data is.
        var before = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, Needles[0]);
        foreach (var schema in new[] { "consents.", "referrals.", "appointments.", "identity." })
        {
            Assert.Contains(before, h => h.Where.Contains(":" + schema, StringComparison.Ordinal));
        }
        var statistics = await RightsOpenedAsync();
        var closed = await ClosedReferralsAsync(person.PersonId);
        Assert.Equal(5, closed.Count);

        var erasure = await (await self.Post($"persons/{person.PersonId}/erasure")).Expect(HttpStatusCode.Accepted);
        Assert.Equal("person", erasure["requestedBy"]!.GetValue<string>());
        await Stories.ErasedEverywhereAsync(fixture, person.PersonId);

        // Nowhere: databases, queues, logs, spans.
        var columns = await PersonalDataScan.ColumnCountAsync(fixture.Database.ConnectionString);
        Assert.True(columns > 100, $"only {columns} text columns scanned");
        foreach (var needle in Needles)
        {
            var database = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, needle);
            Assert.True(database.Count == 0, $"'{needle}' found in {string.Join(", ", database.Select(h => $"{h.Where} ({h.Count})"))}");
            var identity = await PersonalDataScan.DatabaseAsync(fixture.Database.IdentityConnectionString, needle);
            Assert.True(identity.Count == 0, $"'{needle}' found in {string.Join(", ", identity.Select(h => $"{h.Where} ({h.Count})"))}");
            var (queues, queueCount, _) = await PersonalDataScan.QueuesAsync(fixture.Vhost, needle);
            Assert.True(queueCount > 20, $"only {queueCount} queues scanned");
            Assert.True(queues.Count == 0, $"'{needle}' found in {string.Join(", ", queues.Select(h => $"{h.Where} ({h.Count})"))}");
            var logs = fixture.Logs.Containing(needle);
            Assert.True(logs.Count == 0, $"'{needle}' found in the logs: {string.Join(" || ", logs.Take(5).Select(l => $"{l.Category}: {l.Text}"))}");
            var spans = fixture.Spans.Containing(needle);
            Assert.True(spans.Count == 0, $"'{needle}' found in spans: {string.Join(" || ", spans.Take(5).Select(s => $"{s.Source}/{s.Kind}: {s.Text}"))}");
        }
        var (_, queueCount2, messages) = await PersonalDataScan.QueuesAsync(fixture.Vhost, Needles[0]);
        output.WriteLine($"Scanned: {columns} text columns of the services' database, {await PersonalDataScan.ColumnCountAsync(fixture.Database.IdentityConnectionString)} " +
            $"of Identity's, {queueCount2} queues ({messages} messages waiting), {fixture.Logs.Entries.Count} log lines, {fixture.Spans.Spans.Count} spans; " +
            $"needles: {string.Join(", ", Needles)}");
        Assert.NotEmpty(fixture.Logs.Entries);
        Assert.NotEmpty(fixture.Spans.Spans);

        // What stays: the referrals, countable as before; the statistics, unchanged.
        Assert.Equal(closed, await ClosedReferralsAsync(person.PersonId));
        Assert.Equal(statistics, await RightsOpenedAsync());

        // The second person is untouched, and still signs in.
        await AssertUntouchedAsync(control);
        var controlTokens = await fixture.Tokens.CodeFlow(control.Marks.Login, control.Password, "openid consents");
        Assert.False(string.IsNullOrEmpty(controlTokens.AccessToken));

        // The erased person does not: no login, no refresh.
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Tokens.CodeFlow(Canary.Login, person.Password, "openid consents"));
        Assert.True((await fixture.Tokens.Refresh(person.RefreshToken)).IsError);
    }

    private async Task AssertUntouchedAsync(Story control)
    {
        await using (var consents = PrivacyFixture.Store(fixture.Consents).QuerySession())
        {
            var person = await consents.LoadAsync<PersonDetails>(control.PersonId);
            Assert.Equal(control.Marks.Given, person!.GivenName);
            Assert.Equal(control.Marks.Representative, person.LegalRepresentative!.Name);
            Assert.False(person.Erased);
        }
        await using (var referrals = PrivacyFixture.Store(fixture.Referrals).QuerySession())
        {
            var referral = await referrals.LoadAsync<ReferralDetails>(control.ReferralIds[0]);
            Assert.Equal(control.Marks.Reason, referral!.Reason);
        }
        Assert.Equal(control.Marks.Booking, (await Stories.AppointmentOf(fixture, control.AppointmentId))!.Note);
        var hits = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, control.Marks.Marker);
        foreach (var schema in new[] { "consents.", "referrals.", "appointments.", "identity." })
        {
            Assert.Contains(hits, h => h.Where.Contains(":" + schema, StringComparison.Ordinal));
        }
    }

    private async Task<string> RightsOpenedAsync()
    {
        using var coordinator = await fixture.UserClient(fixture.Referrals, Coordinator);
        var statistics = await coordinator.GetJson("statistics/rights-opened?departement=11");
        return statistics.ToJsonString();
    }

    private async Task<List<(Guid Id, ReferralStatus Status, ClosingOutcome? Outcome, TargetRight? Right, Guid To)>> ClosedReferralsAsync(Guid personId)
    {
        await using var session = PrivacyFixture.Store(fixture.Referrals).QuerySession();
        var referrals = await session.Query<ReferralDetails>().Where(r => r.PersonId == personId && r.Status == ReferralStatus.Closed).ToListAsync();
        return referrals.OrderBy(r => r.Id).Select(r => (r.Id, r.Status, r.Outcome, r.ClosedTargetRight, r.ToBodyId)).ToList();
    }
}
