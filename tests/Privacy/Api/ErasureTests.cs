using System.Net;
using System.Text.Json;
using Appointments.Api.Bookings.GettingDetails;
using Consents.Api.Consents.Listing;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy.Erasing;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Identity.Api.Accounts;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests.Api;

/// <summary>The right to erasure: who may ask, what it leaves, and that asking twice changes nothing.</summary>
[Collection(PrivacyCollection.Name)]
public sealed class ErasureTests(PrivacyFixture fixture)
{
    [Fact]
    public async Task Erasure_IsForThePersonThemself_OrAnAdministratorWithTheWrittenRequestsReference()
    {
        var story = await Stories.LiveAsync(fixture, Marks.Fresh("Zqwho"));
        var path = $"persons/{story.PersonId}/erasure";

        using var anonymous = fixture.Consents.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post(path)).StatusCode);
        using var worker = await fixture.UserClient(fixture.Consents, SocialWorker);
        await (await worker.Post(path)).Expect(HttpStatusCode.Forbidden);
        using var admin = await fixture.AdminClient(fixture.Consents);
        var invalid = await (await admin.Post(path, new { })).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(invalid["errors"]!["reference"]);
        await (await admin.Post($"persons/{Guid.CreateVersion7()}/erasure", new { reference = "LRAR 2025-0042" })).Expect(HttpStatusCode.NotFound);
        await (await admin.GetAsync(new Uri(path, UriKind.Relative))).Expect(HttpStatusCode.NotFound);

        // Another person is answered as for an unknown id.
        var other = await Stories.LiveAsync(fixture, Marks.Fresh("Zqwhoelse"));
        using var otherSelf = fixture.Client(fixture.Consents, other.AccessToken);
        await (await otherSelf.Post(path)).Expect(HttpStatusCode.NotFound);
        await using (var session = PrivacyFixture.Store(fixture.Consents).QuerySession())
        {
            Assert.False((await session.LoadAsync<PersonDetails>(story.PersonId))!.Erased);
        }

        var erased = await admin.Post(path, new { reference = "LRAR 2025-0042" }, idempotencyKey: "erase-" + story.PersonId);
        var view = await erased.Expect(HttpStatusCode.Accepted);
        Assert.Equal($"/persons/{story.PersonId}/erasure", erased.Headers.Location!.OriginalString);
        Assert.Equal("admin_on_written_request", view["requestedBy"]!.GetValue<string>());
        Assert.Equal("LRAR 2025-0042", view["reference"]!.GetValue<string>());
        Assert.Equal(4, view["consentsRevoked"]!.GetValue<int>());
        Assert.Equal(1, view["companionsRemoved"]!.GetValue<int>());
        var replay = await admin.Post(path, new { reference = "LRAR 2025-0042" }, idempotencyKey: "erase-" + story.PersonId);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var read = await admin.GetJson(path);
        Assert.Equal(view["erasedAt"]!.GetValue<DateTimeOffset>(), read["erasedAt"]!.GetValue<DateTimeOffset>());

        // Everything about the person now answers as for an unknown id.
        await (await worker.GetAsync(new Uri($"persons/{story.PersonId}", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
        using var self = fixture.Client(fixture.Consents, story.AccessToken);
        await (await self.GetAsync(new Uri("me/consent-record", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
        await (await self.GetAsync(new Uri("me/export", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Erasure_LeavesIdsCodesAndDates_EndsSharing_AndTwiceChangesNothing()
    {
        var story = await Stories.LiveAsync(fixture, Marks.Fresh("Zqtwice"));
        using var self = fixture.Client(fixture.Consents, story.AccessToken);
        var first = await (await self.Post($"persons/{story.PersonId}/erasure")).Expect(HttpStatusCode.Accepted);
        await Stories.ErasedEverywhereAsync(fixture, story.PersonId);

        // What stays: the ledger's proof, without the person.
        await using (var consents = PrivacyFixture.Store(fixture.Consents).QuerySession())
        {
            var person = await consents.LoadAsync<PersonDetails>(story.PersonId);
            Assert.Equal((Erased.Text, Erased.Text, Erased.Date, null, null), (person!.GivenName, person.FamilyName, person.BirthDate, person.Phone, person.Email));
            Assert.Equal(Erased.Text, person.LegalRepresentative!.Name);
            Assert.Equal(Consents.Api.Mandate.Curatelle, person.LegalRepresentative.Mandate);
            var ledger = await consents.Query<ConsentDetails>().Where(c => c.PersonId == story.PersonId).ToListAsync();
            Assert.Equal(5, ledger.Count);
            Assert.All(ledger, c => Assert.NotNull(c.RevokedAt));
            Assert.All(ledger, c => Assert.Null(c.RevocationReason));
            Assert.All(ledger, c => Assert.NotEmpty(c.Categories));
        }
        await using (var referrals = PrivacyFixture.Store(fixture.Referrals).QuerySession())
        {
            var referral = await referrals.LoadAsync<ReferralDetails>(story.ReferralIds[0]);
            Assert.Null(referral!.Reason);
            Assert.All(referral.History, h => Assert.Null(h.Note));
            Assert.Equal(Referrals.Api.ClosingOutcome.RightOpened, referral.Outcome);
        }
        // The grants end everywhere through the usual contracts.
        await fixture.Eventually(async () =>
        {
            await using var referrals = PrivacyFixture.Store(fixture.Referrals).QuerySession();
            var grants = await referrals.Query<GrantCopy>().Where(g => g.PersonId == story.PersonId).ToListAsync();
            return grants.Count == 5 && grants.All(g => g.RevokedAt is not null);
        }, "every grant revoked in Referrals' copies");
        Assert.Null((await Stories.AppointmentOf(fixture, story.AppointmentId))!.Note);

        // The follow-up is closed to the bodies that followed the person.
        using var worker = await fixture.UserClient(fixture.Referrals, SocialWorker);
        await (await worker.GetAsync(new Uri($"persons/{story.PersonId}/follow-up", UriKind.Relative))).Expect(HttpStatusCode.NotFound);

        // Asking again, and PersonErased delivered again to every service: nothing moves.
        var snapshot = await SnapshotAsync(story);
        var again = await (await self.Post($"persons/{story.PersonId}/erasure")).Expect(HttpStatusCode.OK);
        Assert.Equal(first["erasedAt"]!.GetValue<DateTimeOffset>(), again["erasedAt"]!.GetValue<DateTimeOffset>());
        await fixture.Consents.Services.GetRequiredService<IBus>().Publish(
            new Consents.Contracts.PersonErased(story.PersonId, DateTimeOffset.UtcNow), c => c.MessageId = NewId.NextGuid());
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(snapshot, await SnapshotAsync(story));
        await using (var consents = PrivacyFixture.Store(fixture.Consents).QuerySession())
        {
            Assert.Equal(1, (await consents.Events.FetchStreamStateAsync(ErasureIds.Of(story.PersonId)))!.Version);
        }
    }

    /// <summary>Every event and document of the person in every service, with the erasure marks, as JSON.</summary>
    private async Task<string> SnapshotAsync(Story story)
    {
        var parts = new List<object?>();
        foreach (var host in new[] { fixture.Consents, fixture.Referrals, fixture.Appointments, fixture.Identity })
        {
            await using var session = PrivacyFixture.Store(host).QuerySession();
            var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
            parts.Add(await session.AdvancedSql.QueryAsync<string>(
                $"select data::text from {schema}.mt_events where data ->> 'personId' = ? or stream_id in " +
                $"(select stream_id from {schema}.mt_events where data ->> 'personId' = ?) order by seq_id", CancellationToken.None,
                story.PersonId.ToString(), story.PersonId.ToString()));
            if (host != fixture.Identity) parts.Add(await session.LoadAsync<ErasedPerson>(story.PersonId));
        }
        await using (var identity = PrivacyFixture.Store(fixture.Identity).QuerySession())
        {
            parts.Add(await identity.Query<Account>().Where(a => a.PersonId == story.PersonId).ToListAsync());
        }
        await using (var referrals = PrivacyFixture.Store(fixture.Referrals).QuerySession())
        {
            parts.Add(await referrals.LoadManyAsync<ReferralDetails>(story.ReferralIds.ToArray()));
        }
        await using (var appointments = PrivacyFixture.Store(fixture.Appointments).QuerySession())
        {
            parts.Add(await appointments.LoadAsync<AppointmentDetails>(story.AppointmentId));
        }
        return JsonSerializer.Serialize(parts);
    }
}
