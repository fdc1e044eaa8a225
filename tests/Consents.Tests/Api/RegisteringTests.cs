using System.Net;
using System.Net.Http.Json;
using Consents.Api;
using Consents.Api.Persons.Activating;
using Coordination.ServiceDefaults.Demo;
using Xunit;
using static Consents.Tests.TestKit;
using Contracts = Consents.Contracts;

namespace Consents.Tests.Api;

[Collection(ConsentsCollection.Name)]
public sealed class RegisteringTests(ConsentsFixture fixture)
{
    [Fact]
    public async Task RegisterPerson_Returns201WithTheActivationCodeShownOnce()
    {
        using var client = await fixture.As("social-worker@demo");
        var family = UniqueName("Lefèvre");

        var response = await client.PostAsJsonAsync("persons", Registration(family, "Zoé", phone: "06 12 34 56 78", email: "zoe@example.org"));

        var created = await response.ExpectJson(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal($"/persons/{id}", response.Headers.Location!.ToString());
        Assert.Equal("\"2\"", response.ETag());
        Assert.Equal($"Zoé {char.ToUpperInvariant(family[0])}.", created["displayName"]!.GetValue<string>());
        var code = created["activationCode"]!.GetValue<string>();
        Assert.Equal(10, code.Length);
        Assert.All(code, c => Assert.Contains(c, ActivationCodes.Alphabet));
        Assert.Equal(fixture.Clock.GetUtcNow().AddDays(30), created["activationCodeExpiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Single(created["consentIds"]!.AsArray());

        using var read = await client.GetAsync($"persons/{id}");
        var person = await read.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("+33612345678", person["phone"]!.GetValue<string>());
        Assert.Equal("zoe@example.org", person["email"]!.GetValue<string>());
        Assert.Equal("1980-03-14", person["birthDate"]!.GetValue<string>());
        Assert.Equal("CCAS de Narbonne", person["registeredBy"]!["name"]!.GetValue<string>());
        Assert.False(person["loginActivated"]!.GetValue<bool>());
        Assert.Equal("\"2\"", read.ETag());
    }

    [Fact]
    public async Task RegisterPerson_PublishesOnlyIdsCodesAndTheDisplayName()
    {
        var created = await fixture.Register(Registration(UniqueName("Martin"), "Paul"));

        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.ConsentGranted>().Any(c => c.PersonId == created.Id)),
            "the contracts of the registration");
        var registered = Assert.Single(fixture.Published.OfType<Contracts.PersonRegistered>(), p => p.PersonId == created.Id);
        Assert.Equal("Paul M.", registered.DisplayName);
        Assert.Equal(DemoData.CcasNarbonne, registered.RegisteredByBodyId);
        var activation = Assert.Single(fixture.Published.OfType<Contracts.PersonActivationIssued>(), a => a.PersonId == created.Id);
        Assert.Equal(ActivationCodes.Hash(created.ActivationCode!), activation.CodeSha256);
        Assert.Equal(created.ActivationCodeExpiresAt, activation.ExpiresAt);
        var granted = Assert.Single(fixture.Published.OfType<Contracts.ConsentGranted>(), g => g.PersonId == created.Id);
        Assert.Equal(created.ConsentIds[0], granted.ConsentId);
        Assert.Equal(AllCategories, granted.Categories);
        Assert.Equal(Instants.ToMicroseconds(fixture.Clock.GetUtcNow().AddMonths(12)), granted.ValidUntil);
    }

    [Fact]
    public async Task RegisterPerson_ReplayedWithItsIdempotencyKey_GivesTheFirstAnswerWithoutTheCode()
    {
        using var client = await fixture.As("social-worker@demo");
        var body = Registration(UniqueName());
        var key = Guid.NewGuid().ToString();

        using var first = await client.Send(HttpMethod.Post, "persons", body, idempotencyKey: key);
        using var second = await client.Send(HttpMethod.Post, "persons", body, idempotencyKey: key);

        var one = await first.ExpectJson(HttpStatusCode.Created);
        var two = await second.ExpectJson(HttpStatusCode.Created);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(one["id"]!.GetValue<Guid>(), two["id"]!.GetValue<Guid>());
        Assert.NotNull(one["activationCode"]);
        Assert.Null(two["activationCode"]);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
    }

    [Fact]
    public async Task RegisterPerson_WithBadInput_Answers400NamingEachField()
    {
        using var client = await fixture.As("social-worker@demo");
        var now = fixture.Clock.GetUtcNow();

        using var response = await client.PostAsJsonAsync("persons", Registration(UniqueName(), " ", birthDate: "2999-01-01", phone: "12",
            grants: [Grant(Guid.NewGuid(), ["identity", "health"], "marketing"), Grant(DemoData.CafAude, validUntil: now.AddMonths(37))]));

        Assert.Equal(["birthDate", "givenName", "grants[0].bodyId", "grants[0].categories[1]", "grants[0].purpose", "grants[1].validUntil", "phone"],
            (await response.ErrorFields()).Order());
    }

    [Fact]
    public async Task RegisterPerson_WithValuesTooLong_Answers400NamingThem()
    {
        using var client = await fixture.As("social-worker@demo");

        using var response = await client.PostAsJsonAsync("persons", Registration(new string('a', 101), new string('b', 101),
            legalRepresentative: new { name = "Jean Tuteur", mandate = "tutelle", mandateReference = new string('9', 51) }));

        Assert.Equal(["familyName", "givenName", "legalRepresentative.mandateReference"], (await response.ErrorFields()).Order());
    }

    [Theory]
    [InlineData("{\"givenName\":\"Marie\",\"familyName\":\"Test\",\"birthDate\":\"14/03/1980\",\"consentCollection\":\"in_person\",\"grants\":[]}", "birthDate")]
    [InlineData("{\"givenName\":\"Marie\",\"familyName\":\"Test\",\"birthDate\":\"1980-03-14\",\"consentCollection\":\"by_pigeon\",\"grants\":[]}", "consentCollection")]
    [InlineData("{\"givenName\":\"Marie\",\"familyName\":\"Test\",\"birthDate\":\"1980-03-14\",\"consentCollection\":\"in_person\",\"grants\":[{\"bodyId\":\"nope\"}]}", "grants[0].bodyId")]
    public async Task RegisterPerson_WithAMalformedValue_Answers400NamingIt(string json, string field)
    {
        using var client = await fixture.As("social-worker@demo");

        using var response = await client.PostAsync("persons", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains(field, await response.ErrorFields());
    }

    [Fact]
    public async Task RegisterPerson_WithoutRequiredFields_Answers400NamingThem()
    {
        using var client = await fixture.As("social-worker@demo");

        using var response = await client.PostAsJsonAsync("persons", new { givenName = "Marie" });

        var fields = await response.ErrorFields();
        Assert.Contains(fields, f => f.Equals("familyName", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(fields, f => f.Equals("grants", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task RegisterPerson_TheSamePersonByABodyThatMayReadThem_Answers409WithTheirId()
    {
        var family = UniqueName("Hélène");
        var first = await fixture.Register(Registration(family, "Zoé", "1975-06-01"));
        using var coordinator = await fixture.As("coordinator@demo");

        using var again = await coordinator.PostAsJsonAsync("persons", Registration("  " + family.ToUpperInvariant().Replace("É", "E") + " ", "ZOE", "1975-06-01"));

        var problem = await again.ExpectJson(HttpStatusCode.Conflict);
        Assert.Equal("duplicate-person", problem["code"]!.GetValue<string>());
        Assert.Equal(first.Id, problem["existingId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task RegisterPerson_TheSamePersonByABodyThatMayNotReadThem_Answers409WithoutId_AndLogsTheAttempt()
    {
        var family = UniqueName("Noël");
        var first = await fixture.Register(Registration(family, "Awa", "1990-01-02"));
        using var caf = await fixture.As("caf-agent@demo");

        using var again = await caf.PostAsJsonAsync("persons", Registration(family.Replace("ë", "e"), "awa", "1990-01-02",
            grants: [Grant(DemoData.CafAude)]));

        var problem = await again.ExpectJson(HttpStatusCode.Conflict);
        Assert.Equal("possible-duplicate", problem["code"]!.GetValue<string>());
        Assert.Null(problem["existingId"]);
        Assert.DoesNotContain(first.Id.ToString(), problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        var logged = await fixture.AccessLogged(first.Id, e => e.ReaderBodyId == DemoData.CafAude, "the refused duplicate in the person's access log");
        Assert.Equal("denied", logged.Basis);
        Assert.Equal(["identity"], logged.CategoriesWithheld);
        Assert.Equal("POST /persons", logged.Route);
    }

    [Fact]
    public async Task RegisterPerson_WithANullGrant_Answers400NamingIt()
    {
        using var client = await fixture.As("social-worker@demo");

        using var response = await client.PostAsync("persons", new StringContent(
            "{\"givenName\":\"Marie\",\"familyName\":\"Nulle\",\"birthDate\":\"1980-03-14\",\"consentCollection\":\"in_person\",\"grants\":[null]}",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(["grants[0]"], await response.ErrorFields());
    }

    [Fact]
    public async Task RegisterPerson_RacingWithItself_CreatesOnePerson_AndAnswers409ToTheOthers()
    {
        var family = UniqueName("Course");
        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.As("social-worker@demo")));

        var responses = await Task.WhenAll(clients.Select(c => c.PostAsJsonAsync("persons", Registration(family, "Léa", "1999-09-09"))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        using var ccas = await fixture.As("social-worker@demo");
        using var search = await ccas.GetAsync($"persons?familyName={family}&givenName=Lea&birthDate=1999-09-09");
        Assert.Single((await search.ExpectJson(HttpStatusCode.OK)).AsArray());
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task RegisterPerson_ByAPerson_Answers403()
    {
        using var person = await fixture.As("person@demo");

        using var response = await person.PostAsJsonAsync("persons", Registration(UniqueName()));

        await Expect(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RegisterPerson_ByAnAdmin_Answers403()
    {
        using var admin = await fixture.AsAdmin();

        using var response = await admin.PostAsJsonAsync("persons", new { nothing = "valid" });

        await Expect(response, HttpStatusCode.Forbidden);
    }
}
