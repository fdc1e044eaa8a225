using System.Net;
using System.Net.Http.Json;
using Consents.Api.Copies;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Referrals.Contracts;
using Xunit;
using static Consents.Tests.TestKit;

namespace Consents.Tests.Api;

/// <summary>The person's own view: what they share, with whom, until when, and who looked.</summary>
[Collection(ConsentsCollection.Name)]
public sealed class ConsentRecordTests(ConsentsFixture fixture)
{
    [Fact]
    public async Task ConsentRecord_ShowsEveryGrantCompanionContactPersonAndWhoLooked()
    {
        // Someone else looks: the CCAS, which registered the demo person and holds the demo grant.
        using var ccas = await fixture.As("social-worker@demo");
        await Expect(await ccas.GetAsync($"persons/{DemoData.Person}"), HttpStatusCode.OK);
        var contactMember = Guid.CreateVersion7();
        await fixture.Publish(new ContactPersonDesignated(DemoData.Person, DemoData.CcasNarbonne, contactMember, "Sophie Martin", DateTimeOffset.UtcNow));
        using var me = await fixture.As("person@demo");
        using var granted = await me.PostAsJsonAsync("me/consents", Grant(DemoData.FranceServicesNarbonne, ["identity", "appointments"], "appointment_booking"));
        var grantId = (await granted.ExpectJson(HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        await Expect(await me.Send(HttpMethod.Post, $"me/consents/{grantId}/revoke", new { reason = "Finalement non." }, ifMatch: "\"1\""), HttpStatusCode.OK);
        using var companion = await me.PostAsJsonAsync("me/companions", new { displayName = "Lucie Bernard", phone = "0698765432", relationship = "friend" });
        var companionId = (await companion.ExpectJson(HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        await fixture.AccessLogged(DemoData.Person, e => e.ReaderBodyId == DemoData.CcasNarbonne && e.Route == "GET /persons/{id:guid}", "the CCAS read");
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.Query<Consents.Api.ContactPersons.ContactPersonEntry>().AnyAsync(e => e.MemberId == contactMember);
        }, "the contact person in Consents");

        using var response = await me.GetAsync("me/consent-record");

        var record = await response.ExpectJson(HttpStatusCode.OK);
        Assert.Equal(["accessLogTotal", "companions", "consents", "contactPersons", "latestAccesses", "person"], record.AsObject().Select(p => p.Key).Order());
        var person = record["person"]!;
        Assert.Equal(DemoData.Person, person["id"]!.GetValue<Guid>());
        Assert.Equal("Camille", person["givenName"]!.GetValue<string>());
        Assert.Equal("Camille D.", person["displayName"]!.GetValue<string>());
        Assert.Equal("CCAS de Narbonne", person["registeredBy"]!["name"]!.GetValue<string>());

        var consents = record["consents"]!.AsArray();
        Assert.Contains(consents, c => c!["body"]!["id"]!.GetValue<Guid>() == DemoData.CcasNarbonne && c["status"]!.GetValue<string>() == "active");
        var revoked = Assert.Single(consents, c => c!["id"]!.GetValue<Guid>() == grantId)!;
        Assert.Equal("revoked", revoked["status"]!.GetValue<string>());
        Assert.Equal("France services Narbonne", revoked["body"]!["name"]!.GetValue<string>());
        Assert.Equal("Finalement non.", revoked["revocation"]!["reason"]!.GetValue<string>());
        Assert.Equal("person", revoked["revocation"]!["by"]!.GetValue<string>());
        Assert.Equal("online", revoked["collection"]!.GetValue<string>());

        var chosen = Assert.Single(record["companions"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == companionId)!;
        Assert.Equal("+33698765432", chosen["phone"]!.GetValue<string>());
        Assert.Equal("active", chosen["status"]!.GetValue<string>());

        var contacts = Assert.Single(record["contactPersons"]!.AsArray(), b => b!["body"]!["id"]!.GetValue<Guid>() == DemoData.CcasNarbonne)!;
        Assert.Equal("CCAS de Narbonne", contacts["body"]!["name"]!.GetValue<string>());
        Assert.Contains(contacts["contactPersons"]!.AsArray(), c => c!["memberId"]!.GetValue<Guid>() == contactMember);

        var accesses = record["latestAccesses"]!.AsArray();
        Assert.InRange(accesses.Count, 1, 20);
        Assert.All(accesses, a => Assert.NotEqual("self", a!["basis"]!.GetValue<string>()));
        var read = Assert.Single(accesses, a => a!["route"]!.GetValue<string>() == "GET /persons/{id:guid}" && a["reader"]!["name"]!.GetValue<string>() == "Sophie Martin (CCAS)")!;
        Assert.Equal("social_worker", read["reader"]!["role"]!.GetValue<string>());
        Assert.Equal("CCAS de Narbonne", read["reader"]!["body"]!["name"]!.GetValue<string>());
        Assert.Equal("consent", read["basis"]!.GetValue<string>());
        Assert.Equal(["identity"], read["categoriesShown"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.NotNull(read["at"]);
        var times = accesses.Select(a => a!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.True(record["accessLogTotal"]!.GetValue<long>() >= accesses.Count);

        await Expect(await me.Send(HttpMethod.Delete, $"me/companions/{companionId}", ifMatch: "\"1\""), HttpStatusCode.OK);
    }

    [Fact]
    public async Task ConsentRecord_ShowsTheLoginOnceActivatedAtIdentity()
    {
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.LoadAsync<LoginCopy>(DemoData.Person) is not null;
        }, "the demo person's activation copied from Identity");
        using var me = await fixture.As("person@demo");

        using var response = await me.GetAsync("me/consent-record");

        var person = (await response.ExpectJson(HttpStatusCode.OK))["person"]!;
        Assert.True(person["loginActivated"]!.GetValue<bool>());
        Assert.Null(person["activationCodeExpiresAt"]);
    }

    [Fact]
    public async Task AccessLog_IsPagedNewestFirst_AndHoldsTheOwnReads()
    {
        using var me = await fixture.As("person@demo");
        await Expect(await me.GetAsync("me/consent-record"), HttpStatusCode.OK);
        await fixture.AccessLogged(DemoData.Person, e => e.Basis == "self" && e.Route == "GET /me/consent-record", "the person's own read");

        using var first = await me.GetAsync("me/access-log?page=1&pageSize=2");

        var page = await first.ExpectJson(HttpStatusCode.OK);
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal(2, page["pageSize"]!.GetValue<int>());
        var items = page["items"]!.AsArray();
        Assert.InRange(items.Count, 1, 2);
        Assert.True(page["total"]!.GetValue<long>() >= items.Count);
        var all = await fixture.AccessLog(DemoData.Person);
        Assert.Equal(all.Count, page["total"]!.GetValue<long>());
        Assert.Equal(all.Max(e => e.OccurredAt), items[0]!["at"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=2147483647&pageSize=100", "page")]
    public async Task AccessLog_WithAPageOutOfRange_Answers400NamingIt(string query, string field)
    {
        using var me = await fixture.As("person@demo");

        using var response = await me.GetAsync("me/access-log?" + query);

        Assert.Equal([field], await response.ErrorFields());
    }
}
