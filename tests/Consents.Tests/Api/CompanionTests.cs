using System.Net;
using System.Net.Http.Json;
using Consents.Api.Copies;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Xunit;
using static Consents.Tests.TestKit;
using Contracts = Consents.Contracts;

namespace Consents.Tests.Api;

[Collection(ConsentsCollection.Name)]
public sealed class CompanionTests(ConsentsFixture fixture)
{
    /// <summary>The peer worker's Identity subject, once Consents knows the login.</summary>
    private async Task<string> PeerWorkerSubject()
    {
        var subject = SubjectOf(await fixture.Token("peer-worker@demo"));
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.LoadAsync<UserCopy>(subject) is not null;
        }, "the peer worker's login copied from Identity");
        return subject;
    }

    [Fact]
    public async Task ChooseMyCompanion_APlatformUser_SeesWhatThePersonGranted_UntilRemoved()
    {
        var subject = await PeerWorkerSubject();
        using var me = await fixture.As("person@demo");
        using var peer = await fixture.As("peer-worker@demo");

        using var chosen = await me.PostAsJsonAsync("me/companions", new
        {
            userSubject = subject, relationship = "peer_worker", attendsAppointments = true, receivesNotifications = true,
            categories = new[] { "appointments", "identity" },
        });

        var companion = await chosen.ExpectJson(HttpStatusCode.Created);
        var id = companion["id"]!.GetValue<Guid>();
        Assert.Equal($"/persons/{DemoData.Person}/companions/{id}", chosen.Headers.Location!.ToString());
        Assert.Equal("Marc Lefèvre (pair aidant)", companion["displayName"]!.GetValue<string>());
        Assert.Equal(["identity", "appointments"], companion["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("person", companion["chosenBy"]!["role"]!.GetValue<string>());
        Assert.True(companion["receivesNotifications"]!.GetValue<bool>());

        // The peer worker's body holds no grant: the companion basis opens identity, and nothing else.
        using var identity = await peer.GetAsync($"persons/{DemoData.Person}");
        Assert.Equal("Camille", (await identity.ExpectJson(HttpStatusCode.OK))["givenName"]!.GetValue<string>());
        await Expect(await peer.GetAsync($"persons/{DemoData.Person}/contact-persons"), HttpStatusCode.NotFound);
        var logged = await fixture.AccessLogged(DemoData.Person, e => e.ReaderSubject == subject && e.Basis == "companion", "the companion's read");
        Assert.Equal(["identity"], logged.CategoriesShown);

        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.CompanionChosen>().Any(c => c.CompanionId == id)),
            "CompanionChosen published");
        var contract = fixture.Published.OfType<Contracts.CompanionChosen>().Single(c => c.CompanionId == id);
        Assert.Equal((subject, "peer_worker", true, true), (contract.UserSubject, contract.Relationship, contract.AttendsAppointments, contract.ReceivesNotifications));

        using var duplicate = await me.PostAsJsonAsync("me/companions", new { userSubject = subject, relationship = "peer_worker" });
        var problem = await duplicate.ExpectJson(HttpStatusCode.Conflict);
        Assert.Equal("companion-already-chosen", problem["code"]!.GetValue<string>());
        Assert.Equal(id, problem["current"]!["existingId"]!.GetValue<Guid>());

        using var removed = await me.Send(HttpMethod.Delete, $"me/companions/{id}", ifMatch: "\"1\"");
        var view = await removed.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("removed", view["status"]!.GetValue<string>());
        Assert.Equal("\"2\"", removed.ETag());
        await Expect(await peer.GetAsync($"persons/{DemoData.Person}"), HttpStatusCode.NotFound);

        using var again = await me.Send(HttpMethod.Delete, $"me/companions/{id}", ifMatch: "\"2\"");
        Assert.Equal("companion-already-removed", (await again.ExpectJson(HttpStatusCode.Conflict))["code"]!.GetValue<string>());
        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.CompanionRemoved>().Any(c => c.CompanionId == id)),
            "CompanionRemoved published");
        await using var session = fixture.Store.QuerySession();
        Assert.NotNull((await session.LoadAsync<CompanionCopy>(id))!.RemovedAt);
    }

    [Fact]
    public async Task RecordCompanion_ANamedPerson_AtThePersonsRequest_KeepsContactDetailsInConsents()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        var until = fixture.Clock.GetUtcNow().AddMonths(3);

        using var response = await ccas.PostAsJsonAsync($"persons/{person.Id}/companions", new
        {
            displayName = "  Lucie   Bernard ", phone = "06 98 76 54 32", email = "lucie@example.org", relationship = "relative",
            attendsAppointments = true, receivesNotifications = false, categories = new[] { "appointments" }, validUntil = until,
        });

        var companion = await response.ExpectJson(HttpStatusCode.Created);
        var id = companion["id"]!.GetValue<Guid>();
        Assert.Equal("Lucie Bernard", companion["displayName"]!.GetValue<string>());
        Assert.Equal("+33698765432", companion["phone"]!.GetValue<string>());
        Assert.Equal("relative", companion["relationship"]!.GetValue<string>());
        Assert.Equal("Sophie Martin (CCAS)", companion["chosenBy"]!["name"]!.GetValue<string>());
        Assert.Equal("CCAS de Narbonne", companion["chosenBy"]!["body"]!["name"]!.GetValue<string>());

        using var list = await ccas.GetAsync($"persons/{person.Id}/companions");
        Assert.Equal(id, Assert.Single((await list.ExpectJson(HttpStatusCode.OK)).AsArray())!["id"]!.GetValue<Guid>());
        using var one = await ccas.GetAsync($"persons/{person.Id}/companions/{id}");
        await one.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("\"1\"", one.ETag());

        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.CompanionChosen>().Any(c => c.CompanionId == id)),
            "CompanionChosen published");
        Assert.Null(fixture.Published.OfType<Contracts.CompanionChosen>().Single(c => c.CompanionId == id).UserSubject);

        using var removed = await ccas.Send(HttpMethod.Delete, $"persons/{person.Id}/companions/{id}", ifMatch: "\"1\"");
        Assert.Equal("removed", (await removed.ExpectJson(HttpStatusCode.OK))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChooseCompanion_WithBadInput_Answers400NamingEachField()
    {
        using var me = await fixture.As("person@demo");

        using var both = await me.PostAsJsonAsync("me/companions", new { userSubject = "someone", displayName = "Lucie", relationship = "friend" });
        Assert.Equal(["displayName"], await both.ErrorFields());
        using var unknown = await me.PostAsJsonAsync("me/companions", new { userSubject = "no-such-subject", relationship = "friend" });
        Assert.Equal(["userSubject"], await unknown.ErrorFields());
        using var bad = await me.PostAsJsonAsync("me/companions", new
        {
            displayName = "Lucie", phone = "not a phone", email = "lucie@", categories = new[] { "identity", "secrets" },
            validUntil = fixture.Clock.GetUtcNow().AddDays(-1),
        });
        Assert.Equal(["categories[1]", "email", "phone", "relationship", "validUntil"], (await bad.ErrorFields()).Order());
        using var badRelationship = await me.PostAsJsonAsync("me/companions", new { displayName = "Lucie", relationship = "cousin" });
        Assert.Equal(["relationship"], await badRelationship.ErrorFields());
    }

    [Fact]
    public async Task RemoveCompanion_WithoutIfMatch_Is428_AndByAnUninvolvedBody_Is404()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        using var chosen = await ccas.PostAsJsonAsync($"persons/{person.Id}/companions", new { displayName = "Lucie Bernard", relationship = "friend" });
        var id = (await chosen.ExpectJson(HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        using var caf = await fixture.As("caf-agent@demo");

        await Expect(await ccas.Send(HttpMethod.Delete, $"persons/{person.Id}/companions/{id}"), HttpStatusCode.PreconditionRequired);
        await Expect(await caf.Send(HttpMethod.Delete, $"persons/{person.Id}/companions/{id}", ifMatch: "\"1\""), HttpStatusCode.NotFound);
        await Expect(await ccas.Send(HttpMethod.Delete, $"persons/{person.Id}/companions/{id}", ifMatch: "\"3\""), HttpStatusCode.PreconditionFailed);
    }
}
