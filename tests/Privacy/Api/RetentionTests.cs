using System.Net;
using Consents.Api.AccessLog;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using Consents.Api.Privacy.Retention;
using Coordination.Secrecy.Gate.Audit;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults.Demo;
using Identity.Api.Accounts.Activating;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests.Api;

/// <summary>
/// Forgetting on time, on a fake clock: inactive persons erased after 24 months, access-log entries dropped after 12,
/// exports after 24 hours; each run measured on the privacy meter and logged.
/// </summary>
[Collection(RetentionCollection.Name)]
public sealed class RetentionTests(RetentionFixture fixture)
{
    private RetentionJob Job => fixture.Consents.Services.GetRequiredService<RetentionJob>();

    private async Task<Guid> RegisterAsync(string family, DateTimeOffset? grantUntil)
    {
        using var worker = await fixture.UserClient(fixture.Consents, SocialWorker);
        var created = await (await worker.Post("persons", new
        {
            givenName = "Camille",
            familyName = family,
            birthDate = "1975-06-01",
            consentCollection = "in_person",
            grants = new object[] { new { bodyId = DemoData.CcasNarbonne, categories = AllCategories, purpose = "follow_up_coordination", validUntil = grantUntil } },
        })).Expect(HttpStatusCode.Created);
        return created["id"]!.GetValue<Guid>();
    }

    /// <summary>
    /// Runs the job once, and checks that the run was measured on the privacy meter (one measurement per instrument, the
    /// run's own counts and duration) and logged with the same counts and duration — and nothing about whom.
    /// </summary>
    private async Task<RetentionRun> RunMeasuredAndLoggedAsync()
    {
        using var measures = new PrivacyMeasures(fixture.Consents);
        var logged = fixture.Logs.Entries.Count;
        var run = await Job.RunOnceAsync(CancellationToken.None);
        Assert.Equal([run.PersonsErased], measures.Values("coordination.privacy.persons_erased"));
        Assert.Equal([run.ErasuresCompleted], measures.Values("coordination.privacy.erasures_completed"));
        Assert.Equal([run.AccessLogEntriesDropped], measures.Values("coordination.privacy.access_log_dropped"));
        Assert.Equal([run.ReadsDropped], measures.Values("coordination.privacy.reads_dropped"));
        var duration = Assert.Single(measures.Values("coordination.privacy.retention_run.duration"));
        Assert.Equal(run.Duration.TotalMilliseconds, duration, 3);
        Assert.True(duration > 0);

        var summary = Assert.Single(fixture.Logs.Entries.Skip(logged),
            e => e.Category == typeof(RetentionJob).FullName && e.Text.StartsWith("Retention run: ", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, summary.Level);
        foreach (var value in new[]
        {
            $"PersonsErased={run.PersonsErased}", $"ErasuresCompleted={run.ErasuresCompleted}",
            $"AccessLogEntriesDropped={run.AccessLogEntriesDropped}", $"ReadsDropped={run.ReadsDropped}",
            $"DurationMs={run.Duration.TotalMilliseconds.ToString(System.Globalization.CultureInfo.CurrentCulture)}",
        })
        {
            Assert.Contains(value, summary.Text, StringComparison.Ordinal);
        }
        return run;
    }

    [Fact]
    public async Task APersonWithNoActiveGrantAndNoActivityFor24Months_IsErased_OthersAreKept()
    {
        fixture.Now();
        var now = fixture.Clock.GetUtcNow();
        var inactive = await RegisterAsync("Oubli" + Letters(), now.AddMonths(1));
        var stillConsenting = await RegisterAsync("Suivi" + Letters(), now.AddMonths(36).AddDays(-1));
        try
        {
            fixture.Clock.Advance(TimeSpan.FromDays(23 * 31));
            var early = await Job.RunOnceAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.False((await session.LoadAsync<PersonDetails>(inactive))!.Erased);
            }

            fixture.Clock.Advance(TimeSpan.FromDays(62));
            var run = await RunMeasuredAndLoggedAsync();
            Assert.True(run.PersonsErased >= 1);
            Assert.True(run.Duration > TimeSpan.Zero);
            await using (var session = fixture.Store.QuerySession())
            {
                var erased = await session.LoadAsync<PersonDetails>(inactive);
                Assert.True(erased!.Erased);
                Assert.Equal(Erased.Text, erased.FamilyName);
                Assert.Equal(ErasureRequester.Retention,
                    (await session.Events.AggregateStreamAsync<Erasure>(ErasureIds.Of(inactive)))!.RequestedBy);
                Assert.NotNull((await session.LoadAsync<ErasedPerson>(inactive))!.CompletedAt);
                var kept = await session.LoadAsync<PersonDetails>(stillConsenting);
                Assert.False(kept!.Erased);
                Assert.StartsWith("Suivi", kept.FamilyName, StringComparison.Ordinal);
            }
            // The other services hear of it through PersonErased: Identity forgets the person's activation code. The outbox
            // retries on Consents' clock: a publish that a jump of the clock timed out waits for the clock to move on.
            await Coordination.Testing.CoordinationFixture.AssertEventually(async () =>
            {
                fixture.Clock.Advance(TimeSpan.FromSeconds(1));
                await using var identity = fixture.Identity.Services.GetRequiredService<IDocumentStore>().QuerySession();
                return await identity.LoadAsync<ActivationCode>(inactive) is null;
            }, TimeSpan.FromSeconds(30), "PersonErased reaching Identity");

            // Measured and logged with counts only; a second run erases no one again.
            var second = await Job.RunOnceAsync(CancellationToken.None);
            Assert.Equal(0, second.PersonsErased);
        }
        finally
        {
            fixture.Now();
        }
    }

    [Fact]
    public async Task ActivityRecordedElsewhere_KeepsAPersonWhoseGrantsEnded_For24MonthsFromIt()
    {
        fixture.Now();
        var now = fixture.Clock.GetUtcNow();
        var followed = await RegisterAsync("Accompagne" + Letters(), now.AddMonths(1));
        try
        {
            // Twenty months on, nothing is shared any more, but a peer worker logs an accompaniment and the CAF closes a
            // referral: Referrals publishes both, and Consents keeps the latest date (an older message does not move it back).
            var bus = fixture.Directory.Services.GetRequiredService<MassTransit.IBus>();
            var loggedAt = now.AddMonths(20);
            await bus.Publish(new Referrals.Contracts.AccompanimentLogged(Guid.CreateVersion7(), followed, "peer-worker",
                "phone_call", DateOnly.FromDateTime(loggedAt.UtcDateTime), null, loggedAt));
            await bus.Publish(new Referrals.Contracts.ReferralClosed(Guid.CreateVersion7(), followed, DemoData.CafAude, "right_opened",
                null, now.AddMonths(2)));
            await Coordination.Testing.CoordinationFixture.AssertEventually(async () =>
            {
                await using var session = fixture.Store.QuerySession();
                return (await session.LoadAsync<ActivityElsewhere>(followed))?.LastAt == loggedAt;
            }, TimeSpan.FromSeconds(30), "the accompaniment's date in Consents");

            // 25 months after the registration, 5 after the accompaniment: kept.
            fixture.Clock.Advance(TimeSpan.FromDays(25 * 31));
            await Job.RunOnceAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.Equal(loggedAt, (await session.LoadAsync<ActivityElsewhere>(followed))!.LastAt);
                Assert.False((await session.LoadAsync<PersonDetails>(followed))!.Erased);
            }

            // 25 months after the accompaniment: erased.
            fixture.Clock.Advance(TimeSpan.FromDays(20 * 31));
            await Job.RunOnceAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.True((await session.LoadAsync<PersonDetails>(followed))!.Erased);
            }
        }
        finally
        {
            fixture.Now();
        }
    }

    [Fact]
    public async Task AccessLogEntriesOlderThan12Months_AreDropped()
    {
        fixture.Now();
        var personId = await RegisterAsync("Journal" + Letters(), null);
        using (var worker = await fixture.UserClient(fixture.Consents, SocialWorker))
        {
            await (await worker.GetAsync(new Uri($"persons/{personId}", UriKind.Relative))).Expect(HttpStatusCode.OK);
        }
        await Coordination.Testing.CoordinationFixture.AssertEventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.Query<AccessLogEntry>().AnyAsync(e => e.PersonId == personId);
        }, TimeSpan.FromSeconds(20), "the read in the access log");
        try
        {
            fixture.Clock.Advance(TimeSpan.FromDays(360));
            await Job.RunOnceAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.True(await session.Query<AccessLogEntry>().AnyAsync(e => e.PersonId == personId));
                Assert.True(await session.Events.QueryRawEventDataOnly<PersonDataRead>().AnyAsync(e => e.PersonId == personId));
            }
            fixture.Clock.Advance(TimeSpan.FromDays(10));
            var run = await RunMeasuredAndLoggedAsync();
            Assert.True(run.AccessLogEntriesDropped >= 1);
            Assert.True(run.ReadsDropped >= 1);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.False(await session.Query<AccessLogEntry>().AnyAsync(e => e.PersonId == personId));
                // The read recorded behind the entry goes with it.
                Assert.False(await session.Events.QueryRawEventDataOnly<PersonDataRead>().AnyAsync(e => e.PersonId == personId));
            }
        }
        finally
        {
            fixture.Now();
        }
    }

    [Fact]
    public async Task AnExport_IsDeleted24HoursAfterItWasAskedFor()
    {
        fixture.Now();
        var personId = await RegisterAsync("Copie" + Letters(), null);
        Guid exportId;
        using (var worker = await fixture.UserClient(fixture.Consents, SocialWorker))
        {
            exportId = (await (await worker.Post($"persons/{personId}/exports")).Expect(HttpStatusCode.Accepted))["id"]!.GetValue<Guid>();
        }
        var cleanup = fixture.Consents.Services.GetRequiredService<ExportCleanupJob>();
        try
        {
            fixture.Clock.Advance(TimeSpan.FromHours(23));
            await cleanup.DeleteExpiredAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.NotNull(await session.LoadAsync<PersonExportRecord>(exportId));
                Assert.True(await session.Query<PersonExportPartRecord>().AnyAsync(p => p.ExportId == exportId));
            }
            fixture.Clock.Advance(TimeSpan.FromHours(1));
            await cleanup.DeleteExpiredAsync(CancellationToken.None);
            await using (var session = fixture.Store.QuerySession())
            {
                Assert.Null(await session.LoadAsync<PersonExportRecord>(exportId));
                Assert.False(await session.Query<PersonExportPartRecord>().AnyAsync(p => p.ExportId == exportId));
            }
        }
        finally
        {
            fixture.Now();
        }
    }
}
