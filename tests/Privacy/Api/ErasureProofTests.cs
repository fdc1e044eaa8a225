using System.Net;
using System.Text.Json.Nodes;
using Appointments.Api.Bookings.GettingDetails;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy.Gate.Privacy;
using Consents.Contracts;
using Coordination.Testing;
using Identity.Api.Accounts;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Api;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;
using Xunit.Abstractions;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests.Api;

/// <summary>
/// The proof (issue 10): a canary planted in every free-text and identity field of one person is nowhere to be found
/// once the person is erased — not in any table of any schema of the fixture's databases, not in any queue of its vhost
/// (<c>_error</c> included, and the export parts' queue by name, with parts held in a tap on it), not in any service's
/// logs, not in any span, not in what the services' OpenTelemetry exporters sent (spans, log records, metrics) — while a
/// second person's data is untouched and the rights-opened statistics have not moved. The display name of a companion
/// user who logged an accompaniment goes from everything about the person and stays only where it is the companion's.
/// </summary>
[Collection(PrivacyCollection.Name)]
public sealed class ErasureProofTests(PrivacyFixture fixture, ITestOutputHelper output)
{
    /// <summary>The marker in every name and free text, the phone numbers' digits, the birth date.</summary>
    private static readonly Marks Canary = new("Zqcanary7", new DateOnly(1931, 2, 17), "+33698765431", "+33698765432");

    private static readonly string[] Needles = ["zqcanary7", "69876543", "1931-02-17"];

    private static readonly Marks Control = new("Zqcontrol7", new DateOnly(1932, 3, 18), null, null);

    /// <summary>The display name of the companion user who logs an accompaniment: theirs, so it is looked for apart.</summary>
    private static readonly CompanionUser Author = new("Zqauthor7");

    [Fact]
    public async Task ErasingAPerson_LeavesNoTraceOfTheCanaryAnywhere_AndChangesNothingElse()
    {
        var control = await Stories.LiveAsync(fixture, Control);
        var person = await Stories.LiveAsync(fixture, Canary, closedReferrals: 5, companionUser: Author);
        using var self = fixture.Client(fixture.Consents, person.AccessToken);

        // The export carries everything across the services (the only contract that does), and is kept 24 hours. Its
        // parts travel through one queue, Consents' parts' queue: a tap on the broker keeps a copy of each part that goes
        // through it, so that the queue scan is run while parts are held — and finds the canary in them.
        var partsQueue = await BrokerTap.PartsQueueAsync(fixture.Vhost);
        await using (var tap = await BrokerTap.CreateAsync(fixture.Vhost, partsQueue, "privacy-proof-parts-before-erasure"))
        {
            var export = await Stories.ExportAsync(fixture, self, "me/export");
            Assert.Contains(Canary.Booking, export.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains(Canary.Declined, export.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains(Author.DisplayName, export.ToJsonString(), StringComparison.Ordinal);
            var held = await tap.MessagesAsync();
            Assert.Equal(3, held.Count);
            var (heldHits, _, _) = await PersonalDataScan.QueuesAsync(fixture.Vhost, Needles[0]);
            Assert.Contains(heldHits, h => h.Where == "queue " + tap.Name && h.Count == 3);
        }

        // Before: the canary is everywhere the person's data is; the companion's name is on their accompaniment.
        var before = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, Needles[0]);
        foreach (var schema in new[] { "consents.", "referrals.", "appointments.", "identity." })
        {
            Assert.Contains(before, h => h.Where.Contains(":" + schema, StringComparison.Ordinal));
        }
        var authorBefore = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, Author.Marker);
        Assert.Contains(authorBefore, h => h.Where.Contains(":referrals.mt_doc_accompanimentdetails", StringComparison.Ordinal));
        Assert.Contains(authorBefore, h => h.Where.Contains(":referrals.mt_events", StringComparison.Ordinal));
        foreach (var field in new[] { Canary.Declined, Canary.Redirected, Canary.Withdrawn, Canary.CompanionNote })
        {
            var hits = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, field);
            Assert.Contains(hits, h => h.Where.Contains(":referrals.mt_events", StringComparison.Ordinal));
        }
        var statistics = await RightsOpenedAsync();
        var closed = await ClosedReferralsAsync(person.PersonId);
        Assert.Equal(5, closed.Count);

        var erasure = await (await self.Post($"persons/{person.PersonId}/erasure")).Expect(HttpStatusCode.Accepted);
        Assert.Equal("person", erasure["requestedBy"]!.GetValue<string>());
        await Stories.ErasedEverywhereAsync(fixture, person.PersonId);

        // After: what each service would now send about the person through the parts' queue, held in a tap. The person can
        // no longer ask (their login is gone, and so are the grants the registering body's export needs): the request is
        // published as Consents publishes it; Consents drops the parts (no such export) once it has consumed them.
        await using var after = await BrokerTap.CreateAsync(fixture.Vhost, partsQueue, "privacy-proof-parts-after-erasure");
        var lateExport = Guid.CreateVersion7();
        await fixture.Consents.Services.GetRequiredService<IBus>().Publish(new PersonExportRequested(lateExport, person.PersonId, DateTimeOffset.UtcNow));
        await fixture.Eventually(async () => (await after.MessagesAsync()).Count(m => m.Contains(lateExport.ToString(), StringComparison.Ordinal)) == 3,
            "the services' parts for the erased person, held in the tap");

        // Nowhere: databases, queues (the parts' queue and the held parts among them), logs, spans, and what the services'
        // exporters sent (spans, log records, metrics) to the collector.
        fixture.FlushTelemetry();
        var columns = await PersonalDataScan.ColumnCountAsync(fixture.Database.ConnectionString);
        Assert.True(columns > 100, $"only {columns} text columns scanned");
        var queueNames = await fixture.Vhost.QueueNames();
        Assert.Contains(partsQueue, queueNames);
        Assert.Contains(after.Name, queueNames);
        var exported = fixture.Telemetry;
        Assert.Equal(0, exported.Malformed);
        Assert.Empty(exported.RawLacking(PrivacyFixture.ExportedMarker));
        Assert.NotEmpty(exported.RawContaining(PrivacyFixture.ExportedMarker));
        foreach (var needle in Needles.Append(Author.Marker))
        {
            if (needle == Author.Marker)
            {
                // The companion's name stays where it is theirs: their membership, their account, the copies of their login.
                var kept = (await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, needle))
                    .Concat(await PersonalDataScan.DatabaseAsync(fixture.Database.IdentityConnectionString, needle)).ToList();
                output.WriteLine($"'{needle}' kept in: {string.Join(", ", kept.Select(h => $"{h.Where} ({h.Count})"))}");
                var about = kept.Where(h => h.Count != 1 || !CompanionsOwn.Any(own => h.Where.EndsWith(":" + own, StringComparison.Ordinal))).ToList();
                Assert.True(about.Count == 0, $"'{needle}' found in {string.Join(", ", about.Select(h => $"{h.Where} ({h.Count})"))}");
            }
            else
            {
                var database = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, needle);
                Assert.True(database.Count == 0, $"'{needle}' found in {string.Join(", ", database.Select(h => $"{h.Where} ({h.Count})"))}");
                var identity = await PersonalDataScan.DatabaseAsync(fixture.Database.IdentityConnectionString, needle);
                Assert.True(identity.Count == 0, $"'{needle}' found in {string.Join(", ", identity.Select(h => $"{h.Where} ({h.Count})"))}");
            }
            var (queues, queueCount, _) = await PersonalDataScan.QueuesAsync(fixture.Vhost, needle);
            Assert.True(queueCount > 20, $"only {queueCount} queues scanned");
            Assert.True(queues.Count == 0, $"'{needle}' found in {string.Join(", ", queues.Select(h => $"{h.Where} ({h.Count})"))}");
            var logs = fixture.Logs.Containing(needle);
            Assert.True(logs.Count == 0, $"'{needle}' found in the logs: {string.Join(" || ", logs.Take(5).Select(l => $"{l.Category}: {l.Text}"))}");
            var spans = fixture.Spans.Containing(needle);
            Assert.True(spans.Count == 0, $"'{needle}' found in spans: {string.Join(" || ", spans.Take(5).Select(s => $"{s.Source}/{s.Kind}: {s.Text}"))}");
            var exportedSpans = exported.Spans.Where(s => s.Text.Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(exportedSpans.Count == 0,
                $"'{needle}' found in exported spans: {string.Join(" || ", exportedSpans.Take(5).Select(s => $"{s.Service}/{s.Scope}: {s.Text}"))}");
            var exportedLogs = exported.Logs.Where(l => l.Text.Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(exportedLogs.Count == 0,
                $"'{needle}' found in exported log records: {string.Join(" || ", exportedLogs.Take(5).Select(l => $"{l.Service}/{l.Scope}: {l.Text}"))}");
            var raw = exported.RawContaining(needle);
            Assert.True(raw.Count == 0, $"'{needle}' found in {raw.Count} OTLP requests ({string.Join(", ", raw.Distinct())})");
        }

        // The scans were not empty, and the exporters sent what their instrumentations record.
        var (_, queueCount2, messages) = await PersonalDataScan.QueuesAsync(fixture.Vhost, Needles[0]);
        var keys = exported.Spans.SelectMany(s => s.AttributeKeys).ToHashSet();
        output.WriteLine($"Scanned: {columns} text columns of the services' database, {await PersonalDataScan.ColumnCountAsync(fixture.Database.IdentityConnectionString)} " +
            $"of Identity's, {queueCount2} queues ({messages} messages waiting, {partsQueue} among them, 3 parts held in {after.Name}), " +
            $"{fixture.Logs.Entries.Count} log lines, {fixture.Spans.Spans.Count} spans; exported: {exported.Spans.Count} spans, " +
            $"{exported.Logs.Count} log records, {exported.Metrics.Count} metrics in {string.Join(", ", exported.Requests.Select(r => $"{r.Value} × {r.Key}"))} " +
            $"({exported.Bytes / 1024} KiB); needles: {string.Join(", ", Needles.Append(Author.Marker))}");
        output.WriteLine("Exported span scopes: " + string.Join(", ", exported.Spans.GroupBy(s => s.Scope).Select(g => $"{g.Key} ({g.Count()})")));
        output.WriteLine("Exported span attributes: " + string.Join(", ", keys.Order()));
        output.WriteLine("Exported spans of the search by name: " + string.Join(" || ", exported.Spans
            .Where(s => s.Text.Contains("familyName=", StringComparison.Ordinal)).Select(s => $"{s.Service}/{s.Scope}: {s.Text}").Distinct().Take(4)));
        Assert.NotEmpty(fixture.Logs.Entries);
        Assert.NotEmpty(fixture.Spans.Spans);
        foreach (var service in new[] { "identity", "directory", "consents", "referrals", "appointments" })
        {
            Assert.Contains(exported.Spans, s => s.Service == "coordination-" + service);
            Assert.Contains(exported.Logs, l => l.Service == "coordination-" + service);
        }
        Assert.Contains(exported.Spans, s => s.Scope == "Microsoft.AspNetCore");
        Assert.Contains(exported.Spans, s => s.Scope == "System.Net.Http");
        Assert.Contains(exported.Spans, s => s.Scope == "Npgsql");
        Assert.Contains(exported.Spans, s => s.Scope == "MassTransit");
        // The search by name and birth date went out in a query string: exported, with its values redacted.
        Assert.Contains(exported.Spans, s => s.Scope == "Microsoft.AspNetCore" && s.Text.Contains("url.path=/persons |", StringComparison.Ordinal)
            && s.Text.Contains("url.query=?familyName=", StringComparison.Ordinal));
        Assert.Contains(exported.Spans, s => s.AttributeKeys.Contains("db.query.text"));

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

    /// <summary>
    /// Where the companion's display name is theirs, once each: their membership in Directory (events, document, the
    /// reservation keyed by their e-mail), their account in Identity (event and document), and the copies the other
    /// services keep of a member and of a login.
    /// </summary>
    private static readonly string[] CompanionsOwn =
    [
        "directory.mt_events.data", "directory.mt_doc_memberdetails.data", "directory.mt_doc_activemembership.id",
        "directory.mt_doc_activemembership.data", "identity.mt_events.data", "identity.mt_doc_account.data",
        "referrals.mt_doc_membercopy.data", "consents.mt_doc_membercopy.data", "consents.mt_doc_usercopy.data",
        "appointments.mt_doc_membercopy.data", "appointments.mt_doc_usercopy.data", "referrals.mt_doc_usercopy.data",
    ];

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
        foreach (var note in new[] { control.Marks.Declined, control.Marks.Redirected, control.Marks.Withdrawn })
        {
            var noted = await PersonalDataScan.DatabaseAsync(fixture.Database.ConnectionString, note);
            Assert.Contains(noted, h => h.Where.Contains(":referrals.mt_events", StringComparison.Ordinal));
        }
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
