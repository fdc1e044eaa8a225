using System.Net;
using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Xunit;
using static Consents.Tests.TestKit;

namespace Consents.Tests.Api;

/// <summary>DESIGN §4 at the doors of Consents: 403 by role, otherwise the 404 of an unknown id, and every refusal logged.</summary>
[Collection(ConsentsCollection.Name)]
public sealed class AuthorizationTests(ConsentsFixture fixture)
{
    /// <summary>Every route that names a person, with the headers a well-formed call sends.</summary>
    private static IEnumerable<(HttpMethod Method, string Path, object? Body, string? IfMatch)> PersonRoutes(Guid person, Guid consent, Guid companion) =>
    [
        (HttpMethod.Get, $"persons/{person}", null, null),
        (HttpMethod.Get, $"persons/{person}/consents", null, null),
        (HttpMethod.Get, $"persons/{person}/consents/{consent}", null, null),
        (HttpMethod.Post, $"persons/{person}/consents", Grant(DemoData.CcasNarbonne), null),
        (HttpMethod.Post, $"persons/{person}/consents/{consent}/revoke", new { revokedBy = "professional_on_request", reason = "x" }, "\"1\""),
        (HttpMethod.Get, $"persons/{person}/companions", null, null),
        (HttpMethod.Get, $"persons/{person}/companions/{companion}", null, null),
        (HttpMethod.Post, $"persons/{person}/companions", new { displayName = "Lucie Bernard", relationship = "friend" }, null),
        (HttpMethod.Delete, $"persons/{person}/companions/{companion}", null, "\"1\""),
        (HttpMethod.Get, $"persons/{person}/contact-persons", null, null),
        (HttpMethod.Get, $"persons/{person}/consent-receipt", null, null),
        (HttpMethod.Get, $"persons/{person}/consents/{consent}/fhir", null, null),
        (HttpMethod.Post, $"persons/{person}/activation-code", null, "\"2\""),
    ];

    private async Task<(TestKit.Created Person, Guid Companion)> PersonWithACompanion()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        using var chosen = await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/companions", new { displayName = "Lucie Bernard", relationship = "friend" });
        var companion = (await chosen.ExpectJson(HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        return (person, companion);
    }

    [Fact]
    public async Task AnotherPerson_GetsTheUnknownIdAnswer_OnEveryIdBearingRoute_AndNothingChanges()
    {
        var (person, companion) = await PersonWithACompanion();
        using var me = await fixture.As("person@demo");
        var unknown = PersonRoutes(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()).ToList();
        var known = PersonRoutes(person.Id, person.ConsentIds[0], companion).ToList();

        for (var i = 0; i < known.Count; i++)
        {
            using var answer = await me.Send(known[i].Method, known[i].Path, known[i].Body, known[i].IfMatch);
            using var reference = await me.Send(unknown[i].Method, unknown[i].Path, unknown[i].Body, unknown[i].IfMatch);
            await AssertUnknownIdAnswer(answer, reference);
        }
        // The person's own routes with the other person's consent and companion ids.
        using (var revoke = await me.Send(HttpMethod.Post, $"me/consents/{person.ConsentIds[0]}/revoke", new { }, "\"1\""))
        using (var unknownRevoke = await me.Send(HttpMethod.Post, $"me/consents/{Guid.NewGuid()}/revoke", new { }, "\"1\""))
        {
            await AssertUnknownIdAnswer(revoke, unknownRevoke);
        }
        using (var remove = await me.Send(HttpMethod.Delete, $"me/companions/{companion}", ifMatch: "\"1\""))
        using (var unknownRemove = await me.Send(HttpMethod.Delete, $"me/companions/{Guid.NewGuid()}", ifMatch: "\"1\""))
        {
            await AssertUnknownIdAnswer(remove, unknownRemove);
        }

        using var ccas = await fixture.As("social-worker@demo");
        using var ledger = await ccas.GetAsync($"persons/{person.Id}/consents");
        var consent = Assert.Single((await ledger.ExpectJson(HttpStatusCode.OK)).AsArray())!;
        Assert.Equal("active", consent["status"]!.GetValue<string>());
        using var companions = await ccas.GetAsync($"persons/{person.Id}/companions");
        Assert.Equal("active", Assert.Single((await companions.ExpectJson(HttpStatusCode.OK)).AsArray())!["status"]!.GetValue<string>());
        using var identity = await ccas.GetAsync($"persons/{person.Id}");
        Assert.Equal("\"2\"", identity.ETag());
        var refusals = await fixture.AccessLogged(person.Id, e => e.ReaderRole == "person", "the other person's attempts in the access log");
        Assert.Equal("denied", refusals.Basis);
    }

    [Fact]
    public async Task AnUninvolvedBody_GetsTheUnknownIdAnswer_AndItsDeniedReadIsRecordedInTheSameRequest()
    {
        var person = await fixture.Register();
        using var caf = await fixture.As("caf-agent@demo");

        using var answer = await caf.GetAsync($"persons/{person.Id}");
        using var unknown = await caf.GetAsync($"persons/{Guid.NewGuid()}");

        await AssertUnknownIdAnswer(answer, unknown);
        // Appended by the request itself, before any broker round trip.
        await using (var session = fixture.Store.QuerySession())
        {
            var read = Assert.Single(await session.Events.QueryRawEventDataOnly<PersonDataRead>().Where(e => e.PersonId == person.Id).ToListAsync());
            Assert.Equal("denied", read.Basis);
            Assert.Equal(DemoData.CafAude, read.ReaderBodyId);
            Assert.Equal(["identity"], read.CategoriesWithheld);
            Assert.Empty(read.CategoriesShown);
        }
        var logged = await fixture.AccessLogged(person.Id, e => e.ReaderBodyId == DemoData.CafAude, "the denied read in the person's access log");
        Assert.Equal("GET /persons/{id:guid}", logged.Route);
        Assert.Equal("consents", logged.Service);
        Assert.Equal("Claire Dubois (CAF)", logged.ReaderDisplayName);
        Assert.Equal("social_worker", logged.ReaderRole);
    }

    [Fact]
    public async Task AnInvolvedBodyWithoutAGrantForTheCategory_GetsTheUnknownIdAnswer()
    {
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne, ["identity"])]));
        using var ccas = await fixture.As("social-worker@demo");

        await Expect(await ccas.GetAsync($"persons/{person.Id}"), HttpStatusCode.OK);
        await AssertUnknownIdAnswer(await ccas.GetAsync($"persons/{person.Id}/companions"), await ccas.GetAsync($"persons/{Guid.NewGuid()}/companions"));
        await AssertUnknownIdAnswer(await ccas.GetAsync($"persons/{person.Id}/contact-persons"),
            await ccas.GetAsync($"persons/{Guid.NewGuid()}/contact-persons"));
    }

    public static TheoryData<string, string> AdminRoutes()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path, _, _) in PersonRoutes(DemoData.Person, Guid.NewGuid(), Guid.NewGuid())) data.Add(method.Method, path);
        data.Add("GET", "persons?familyName=Durand&givenName=Camille&birthDate=1984-05-14");
        data.Add("POST", "persons");
        data.Add("GET", "me/consent-record");
        data.Add("GET", "me/access-log");
        data.Add("POST", "me/consents");
        data.Add("POST", $"me/consents/{Guid.NewGuid()}/revoke");
        data.Add("POST", "me/companions");
        data.Add("DELETE", $"me/companions/{Guid.NewGuid()}");
        return data;
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task AnAdminOrPartnerSystem_Gets403_OnEveryPersonRoute(string method, string path)
    {
        using var admin = await fixture.AsAdmin();

        using var response = await admin.Send(new HttpMethod(method), path, method is "POST" ? new { } : null, "\"1\"");

        await Expect(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("GET", "me/consent-record")]
    [InlineData("GET", "me/access-log")]
    [InlineData("POST", "me/consents")]
    [InlineData("POST", "me/companions")]
    public async Task AProfessional_Gets403_OnThePersonsOwnRoutes(string method, string path)
    {
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.Send(new HttpMethod(method), path, method is "POST" ? new { } : null);

        await Expect(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WithoutAToken_EveryRouteIs401()
    {
        using var anonymous = fixture.Consents.Client();

        await Expect(await anonymous.GetAsync($"persons/{DemoData.Person}"), HttpStatusCode.Unauthorized);
        await Expect(await anonymous.GetAsync("me/consent-record"), HttpStatusCode.Unauthorized);
    }
}
