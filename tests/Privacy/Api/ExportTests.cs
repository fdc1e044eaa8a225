using System.Net;
using System.Text.Json.Nodes;
using Consents.Api.AccessLog;
using Consents.Api.Privacy.Exporting;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Xunit;
using static Privacy.Tests.PrivacyKit;

namespace Privacy.Tests.Api;

/// <summary>The right of access and to portability: one document with everything every service holds, through contracts.</summary>
[Collection(PrivacyCollection.Name)]
public sealed class ExportTests(PrivacyFixture fixture)
{
    [Fact]
    public async Task TheirExport_HoldsEveryServicesPart_AndEverythingHeldAboutThem()
    {
        var story = await Stories.LiveAsync(fixture, Marks.Fresh("Zqexport"));
        var marks = story.Marks;
        using var self = fixture.Client(fixture.Consents, story.AccessToken);

        var started = await (await self.Post("me/exports")).Expect(HttpStatusCode.Accepted);
        Assert.Equal("pending", started["status"]!.GetValue<string>());
        var exportId = started["id"]!.GetValue<Guid>();
        var again = await self.Post("me/exports");
        Assert.Equal(exportId, (await again.Expect(HttpStatusCode.Accepted))["id"]!.GetValue<Guid>());
        Assert.Equal($"/me/exports/{exportId}", again.Headers.Location!.OriginalString);

        var export = await Stories.ExportAsync(fixture, self, $"me/exports/{exportId}");
        Assert.Equal(PersonExports.Format, export["format"]!.GetValue<string>());
        Assert.Equal(story.PersonId, export["personId"]!.GetValue<Guid>());
        Assert.Equal(["consents", "identity", "referrals", "appointments"],
            export["sources"]!.AsArray().Select(s => s!["service"]!.GetValue<string>()));

        var identity = export.Section("identity")!;
        Assert.Equal(marks.Given, identity["givenName"]!.GetValue<string>());
        Assert.Equal(marks.Family, identity["familyName"]!.GetValue<string>());
        Assert.Equal(Iso(marks.BirthDate), identity["birthDate"]!.GetValue<string>());
        Assert.Equal(marks.Email, identity["email"]!.GetValue<string>());
        Assert.Equal(marks.Representative, identity["legalRepresentative"]!["name"]!.GetValue<string>());
        Assert.Equal(marks.MandateReference, identity["legalRepresentative"]!["mandateReference"]!.GetValue<string>());
        Assert.True(identity["loginActivated"]!.GetValue<bool>());

        var consents = export.Section("consents")!.AsArray();
        Assert.Equal(5, consents.Count);
        Assert.Contains(consents, c => c!["revocation"]?["reason"]?.GetValue<string>() == marks.Revocation);
        var companion = export.Section("companions")!.AsArray().Single()!;
        Assert.Equal(marks.Companion, companion["displayName"]!.GetValue<string>());
        Assert.Equal(marks.CompanionEmail, companion["email"]!.GetValue<string>());
        Assert.NotEmpty(export.Section("accessLog")!.AsArray());

        Assert.Equal(marks.Login, export.Section("logins")!.AsArray().Single()!["login"]!.GetValue<string>());

        // The referral accepted and closed, and the others: declined, redirected (and the one it became), withdrawn.
        var referrals = export.Section("referrals")!.AsArray();
        Assert.Equal(5, referrals.Count);
        var referral = referrals.Single(r => r!["referral"]!["id"]!.GetValue<Guid>() == story.ReferralIds[0])!;
        Assert.Equal(marks.Reason, referral["referral"]!["reason"]!.GetValue<string>());
        var moves = referrals.SelectMany(r => r!["referral"]!["history"]!.AsArray().Select(h => h!["note"]?.GetValue<string>())).ToList();
        Assert.Contains(marks.Declined, moves);
        Assert.Contains(marks.Redirected, moves);
        Assert.Contains(marks.Withdrawn, moves);
        Assert.Equal("CAF de l'Aude", referral["toBody"]!.GetValue<string>());
        var notes = referral["referral"]!["history"]!.AsArray().Select(h => h!["note"]?.GetValue<string>()).ToList();
        Assert.Contains(marks.Accepted, notes);
        Assert.Contains(marks.Closed, notes);
        Assert.Single(export.Section("contactPersons")!.AsArray());
        Assert.Equal(marks.Accompaniment, export.Section("accompaniments")!.AsArray().Single()!["note"]!.GetValue<string>());
        var appointment = export.Section("appointments")!.AsArray().Single()!;
        Assert.Equal(marks.Booking, appointment["appointment"]!["note"]!.GetValue<string>());
        Assert.Equal(story.CompanionId, appointment["appointment"]!["companionId"]!.GetValue<Guid>());
        Assert.Contains(export.Section("webhookDeliveries")!.AsArray(), d => d!["showedPerson"]!.GetValue<bool>());

        // Reading it is a read of everything, by the person.
        await fixture.Eventually(async () => (await AccessLogAsync(story.PersonId)).Any(e =>
            e.Route == $"GET /me/exports/{{exportId:guid}}" && e.Basis == Bases.Self && e.CategoriesShown.Length == Categories.All.Count),
            "the person's read of their export in their access log");
    }

    [Fact]
    public async Task TheRegisteringBody_ExportsAtThePersonsRequest_AndTheReadIsInTheAccessLog()
    {
        var story = await Stories.LiveAsync(fixture, Marks.Fresh("Zqbodyexport"));
        using var worker = await fixture.UserClient(fixture.Consents, SocialWorker);

        var export = await Stories.ExportAsync(fixture, worker, $"persons/{story.PersonId}/export");
        Assert.Equal(story.Marks.Given, export.Section("identity")!["givenName"]!.GetValue<string>());
        Assert.Equal(4, export["sources"]!.AsArray().Count);
        // The latest export is given again, not a new one.
        var again = await worker.GetJson($"persons/{story.PersonId}/export");
        Assert.Equal(export["exportId"]!.GetValue<Guid>(), again["exportId"]!.GetValue<Guid>());

        var read = (await AccessLogAsync(story.PersonId, e => e.Route == "GET /persons/{id:guid}/export"))[0];
        Assert.Equal(DemoData.CcasNarbonne, read.ReaderBodyId);
        Assert.Equal(Bases.Consent, read.Basis);
        Assert.NotNull(read.ConsentId);
        Assert.Equal(Categories.All.Order(), read.CategoriesShown.Order());

        // The person may read it too; the body cannot read the person's own exports.
        using var self = fixture.Client(fixture.Consents, story.AccessToken);
        await (await self.GetAsync(new Uri($"me/exports/{export["exportId"]}", UriKind.Relative))).Expect(HttpStatusCode.OK);
        var mine = await (await self.Post("me/exports")).Expect(HttpStatusCode.Accepted);
        await (await worker.GetAsync(new Uri($"persons/{story.PersonId}/exports/{mine["id"]}", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlyThePersonAndTheRegisteringBody_MayExport()
    {
        var story = await Stories.LiveAsync(fixture, Marks.Fresh("Zqdenied"));
        var path = $"persons/{story.PersonId}/exports";

        using var anonymous = fixture.Consents.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("me/export", UriKind.Relative))).StatusCode);
        using var admin = await fixture.AdminClient(fixture.Consents);
        await (await admin.Post(path)).Expect(HttpStatusCode.Forbidden);
        await (await admin.GetAsync(new Uri($"persons/{story.PersonId}/export", UriKind.Relative))).Expect(HttpStatusCode.Forbidden);
        using var worker = await fixture.UserClient(fixture.Consents, SocialWorker);
        await (await worker.GetAsync(new Uri("me/export", UriKind.Relative))).Expect(HttpStatusCode.Forbidden);

        // The CAF follows the person (a grant, a referral) but did not register them: the 404 of an unknown id, logged.
        using var caf = await fixture.UserClient(fixture.Consents, CafAgent);
        var unknown = await (await caf.Post($"persons/{Guid.CreateVersion7()}/exports")).Expect(HttpStatusCode.NotFound);
        var refused = await (await caf.Post(path)).Expect(HttpStatusCode.NotFound);
        Assert.Equal(unknown["detail"]!.ToJsonString(), refused["detail"]!.ToJsonString());
        await AccessLogAsync(story.PersonId, e => e.ReaderBodyId == DemoData.CafAude && e.Basis == Bases.Denied && e.Route.Contains("/exports", StringComparison.Ordinal));

        // Another person is as unknown.
        var other = await Stories.LiveAsync(fixture, Marks.Fresh("Zqother"));
        using var otherSelf = fixture.Client(fixture.Consents, other.AccessToken);
        await (await otherSelf.Post(path)).Expect(HttpStatusCode.NotFound);
        var exportId = (await (await worker.Post(path)).Expect(HttpStatusCode.Accepted))["id"]!.GetValue<Guid>();
        await (await otherSelf.GetAsync(new Uri($"me/exports/{exportId}", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
        await (await caf.GetAsync(new Uri($"{path}/{exportId}", UriKind.Relative))).Expect(HttpStatusCode.NotFound);
    }

    private async Task<IReadOnlyList<AccessLogEntry>> AccessLogAsync(Guid personId)
    {
        await using var session = PrivacyFixture.Store(fixture.Consents).QuerySession();
        return await session.Query<AccessLogEntry>().Where(e => e.PersonId == personId).ToListAsync();
    }

    private async Task<IReadOnlyList<AccessLogEntry>> AccessLogAsync(Guid personId, Func<AccessLogEntry, bool> match)
    {
        IReadOnlyList<AccessLogEntry> found = [];
        await fixture.Eventually(async () => (found = (await AccessLogAsync(personId)).Where(match).ToList()).Count > 0,
            "the entry in the person's access log");
        return found;
    }
}
