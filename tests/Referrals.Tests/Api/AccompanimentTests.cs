using System.Net;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Demo;
using Referrals.Api.Copies;
using Xunit;

namespace Referrals.Tests.Api;

[Collection(ReferralsCollection.Name)]
public sealed class AccompanimentTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private static string Today => Referrals.Api.Clock.ParisDate(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<Guid> Log(string login, Guid personId, object body)
    {
        using var client = await As(login);
        var response = await Post(client, $"persons/{personId}/accompaniments", body);
        var created = await Json(response, HttpStatusCode.Created);
        Assert.Equal("\"1\"", ETag(response));
        return created["id"]!.GetValue<Guid>();
    }

    /// <summary>The demo person (who has a login) registered by the CCAS, so their own token reads and hides.</summary>
    private async Task<Guid> DemoPerson()
    {
        var personId = DemoData.Person;
        await Publish(new Consents.Contracts.PersonRegistered(personId, "Personne de démonstration", Ccas, "x", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PersonNameCopy>(personId) is not null, "the demo person");
        await Grant(personId, Ccas);
        return personId;
    }

    [Fact]
    public async Task TheCompanionAndAnInvolvedBody_Log_AndOthersAre404()
    {
        var personId = await PersonWithGrants(Ccas);
        await ChooseCompanion(personId, PeerWorker, [Categories.Accompaniment]);

        var byCompanion = await Log(PeerWorker, personId, new { kind = "accompanied_to_appointment", on = Today, bodyId = Caf, note = "RDV CAF, dossier déposé" });
        var bySocialWorker = await Log(SocialWorker, personId, new { kind = "phone_call", on = Today });

        using var volunteer = await As(Volunteer);
        await AssertUnknown(await Post(volunteer, $"persons/{personId}/accompaniments", new { kind = "home_visit", on = Today }));
        using var caf = await As(CafAgent);
        await AssertUnknown(await Post(caf, $"persons/{personId}/accompaniments", new { kind = "home_visit", on = Today }));

        using var ccas = await As(SocialWorker);
        var entries = await Json(await Get(ccas, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        Assert.Equal(new[] { byCompanion, bySocialWorker }.Order(), entries.AsArray().Select(e => e!["id"]!.GetValue<Guid>()).Order());
        var visit = entries.AsArray().Single(e => e!["id"]!.GetValue<Guid>() == byCompanion)!;
        Assert.Equal(("accompanied_to_appointment", "CAF de l'Aude", "RDV CAF, dossier déposé", "Marc Lefèvre (pair aidant)"),
            (visit["kind"]!.GetValue<string>(), visit["body"]!["name"]!.GetValue<string>(), visit["note"]!.GetValue<string>(), visit["author"]!["name"]!.GetValue<string>()));

        // The companion logged as the companion; the social worker for the CCAS.
        Assert.Null(visit["author"]!["body"]);
        Assert.Equal(Ccas, entries.AsArray().Single(e => e!["id"]!.GetValue<Guid>() == bySocialWorker)!["author"]!["body"]!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task ACompanionsName_IsCompanionData_AndWithheldFromAReaderWhoMayNotSeeCompanions()
    {
        var personId = await NewPerson(Caf);
        await Grant(personId, Caf, [Categories.Accompaniment]);
        await ChooseCompanion(personId, PeerWorker, [Categories.Accompaniment]);
        var entry = await Log(PeerWorker, personId, new { kind = "helped_online_procedure", on = Today });

        using var caf = await As(CafAgent);
        var before = await AccessEvents(personId);
        var entries = await Json(await Get(caf, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        var author = entries.AsArray().Single(e => e!["id"]!.GetValue<Guid>() == entry)!["author"]!;
        Assert.Null(author["name"]);
        Assert.True(author["companion"]!.GetValue<bool>());
        Assert.DoesNotContain("Marc", entries.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(before + 1, await AccessEvents(personId));
        var logged = await LastAccessEvent(personId);
        Assert.Equal(["accompaniment"], Strings(logged["categoriesShown"]));
        Assert.Equal(["companion"], Strings(logged["categoriesWithheld"]));
    }

    [Theory]
    [InlineData("""{"on":"2026-01-01"}""", "kind")]
    [InlineData("""{"kind":"party","on":"2026-01-01"}""", "kind")]
    [InlineData("""{"kind":"phone_call"}""", "on")]
    [InlineData("""{"kind":"phone_call","on":"2999-01-01"}""", "on")]
    [InlineData("""{"kind":"phone_call","on":"__TODAY__","note":"__LONG__"}""", "note")]
    [InlineData("""{"kind":"phone_call","on":"__TODAY__","bodyId":"0193a0a0-0000-7000-8000-00000000ffff"}""", "bodyId")]
    public async Task Logging_WithBadInput_Is400NamingTheField(string body, string field)
    {
        using var client = await As(SocialWorker);
        var json = body.Replace("__TODAY__", Today, StringComparison.Ordinal).Replace("__LONG__", new string('x', 501), StringComparison.Ordinal);
        await AssertInvalid(await Post(client, $"persons/{Guid.CreateVersion7()}/accompaniments", json), field);
    }

    [Fact]
    public async Task ThePerson_HidesAnEntry_ThenOnlyThePersonSeesIt()
    {
        var personId = await DemoPerson();
        var hidden = await Log(SocialWorker, personId, new { kind = "home_visit", on = Today, note = "Visite à domicile" });
        var kept = await Log(SocialWorker, personId, new { kind = "phone_call", on = Today });

        using var person = await As(PersonLogin);
        await AssertProblem(await Post(person, $"persons/{personId}/accompaniments/{hidden}/hide"), HttpStatusCode.PreconditionRequired);
        await AssertProblem(await Post(person, $"persons/{personId}/accompaniments/{hidden}/hide", ifMatch: "\"5\""), HttpStatusCode.PreconditionFailed);
        var done = await Json(await Post(person, $"persons/{personId}/accompaniments/{hidden}/hide", ifMatch: "\"1\""), HttpStatusCode.OK);
        Assert.Equal((true, 2), (done["hidden"]!.GetValue<bool>(), done["version"]!.GetValue<int>()));
        // Hiding again changes nothing.
        await Json(await Post(person, $"persons/{personId}/accompaniments/{hidden}/hide", ifMatch: "\"2\""), HttpStatusCode.OK);
        await AssertUnknown(await Post(person, $"persons/{personId}/accompaniments/{Guid.CreateVersion7()}/hide", ifMatch: "\"1\""));

        using var ccas = await As(SocialWorker);
        var partners = await Json(await Get(ccas, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        var ids = partners.AsArray().Select(e => e!["id"]!.GetValue<Guid>()).ToList();
        Assert.Contains(kept, ids);
        Assert.DoesNotContain(hidden, ids);
        Assert.DoesNotContain("Visite à domicile", partners.ToJsonString(), StringComparison.Ordinal);
        var followUp = await Json(await Get(ccas, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        Assert.DoesNotContain(hidden.ToString(), followUp.ToJsonString(), StringComparison.Ordinal);

        var own = await Json(await Get(person, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        Assert.True(own.AsArray().Single(e => e!["id"]!.GetValue<Guid>() == hidden)!["hidden"]!.GetValue<bool>());
    }

    [Fact]
    public async Task OnlyThePerson_Hides_AndThePersonDoesNotLog()
    {
        var personId = await DemoPerson();
        var entry = await Log(SocialWorker, personId, new { kind = "phone_call", on = Today });

        using var ccas = await As(SocialWorker);
        await AssertProblem(await Post(ccas, $"persons/{personId}/accompaniments/{entry}/hide", ifMatch: "\"1\""), HttpStatusCode.Forbidden);
        using var person = await As(PersonLogin);
        await AssertProblem(await Post(person, $"persons/{personId}/accompaniments", new { kind = "phone_call", on = Today }), HttpStatusCode.Forbidden);
        // Another person's entry does not exist for this person.
        var stranger = await PersonWithGrants(Ccas);
        var theirs = await Log(SocialWorker, stranger, new { kind = "phone_call", on = Today });
        await AssertUnknown(await Post(person, $"persons/{stranger}/accompaniments/{theirs}/hide", ifMatch: "\"1\""));
        await AssertUnknown(await Post(person, $"persons/{personId}/accompaniments/{theirs}/hide", ifMatch: "\"1\""));
    }

    [Fact]
    public async Task ADeskRole_DoesNotSeeTheLog_AndAnEntryAtASensitiveBody_IsSeenByThatBodyOnly()
    {
        var shelter = await NewBody("CSAPA de Narbonne", sensitive: true);
        var personId = await PersonWithGrants(Ccas, Caf, FranceServices);
        await SendReferral(SocialWorker, personId, Caf);
        await SendReferral(SocialWorker, personId, FranceServices);
        var atShelter = await Log(SocialWorker, personId, new { kind = "accompanied_to_appointment", on = Today, bodyId = shelter });
        var ordinary = await Log(SocialWorker, personId, new { kind = "helped_online_procedure", on = Today });

        using var adviser = await As(Adviser);
        await AssertUnknown(await Get(adviser, $"persons/{personId}/accompaniments"));

        using var caf = await As(CafAgent);
        var seen = await Json(await Get(caf, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        Assert.Equal([ordinary], seen.AsArray().Select(e => e!["id"]!.GetValue<Guid>()));
        Assert.DoesNotContain("CSAPA", seen.ToJsonString(), StringComparison.Ordinal);

        // The author's body is concerned by the entry it wrote.
        using var ccas = await As(SocialWorker);
        var own = await Json(await Get(ccas, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        Assert.Contains(atShelter, own.AsArray().Select(e => e!["id"]!.GetValue<Guid>()));
    }
}
