using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// The whole story across the five services, for real: a CCAS social worker registers a person who consents,
/// the person activates their login and chooses a peer worker as companion, the CCAS refers them to the CAF for
/// the prime d'activité, the CAF accepts and designates a contact person, a France services adviser books a CAF
/// slot for the referral with the companion attending, the peer worker logs the accompaniment, the CAF records
/// attendance and closes the referral with the right opened; the person reads who looked at their data, revokes
/// the CAF, and a body never involved sees nothing at any step.
/// </summary>
public sealed class StoryTests(StoryFixture fixture, ITestOutputHelper output) : IClassFixture<StoryFixture>
{
    // Seconds normally; a hole in a sequence may hold an outbox up to the 45 s cap (ADR 0008).
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    /// <summary>Revocation must reach every service within this bound (measured precisely by the benchmark).</summary>
    private static readonly TimeSpan RevocationBound = TimeSpan.FromSeconds(5);

    private static readonly string[] FollowUpCategories = ["identity", "orientation", "orientation_details", "contacts", "companion", "appointments"];
    private static readonly string[] BookingCategories = ["identity", "companion", "appointments"];

    /// <summary>The grants of step 1: body → purpose and categories.</summary>
    private static readonly Dictionary<Guid, (string Purpose, string[] Categories)> Grants = new()
    {
        [DemoData.CcasNarbonne] = ("follow_up_coordination", FollowUpCategories),
        [DemoData.CafAude] = ("follow_up_coordination", FollowUpCategories),
        [DemoData.FranceServicesNarbonne] = ("appointment_booking", BookingCategories),
    };

    private const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
    private const string NotFoundType = "urn:coordination:problem:not-found";
    private const string Denied = "denied";
    private const string ThePerson = "the person";

    // The person's data, each piece carrying a mark of its own, so that it can be looked for wherever it must not go.
    private static string Mark(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private readonly string _givenName = Mark("Ysoline");
    private readonly string _familyName = Mark("Zorglubine");
    private readonly string _birthDate = new DateOnly(1950, 1, 1).AddDays(Random.Shared.Next(18_000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private readonly string _emailUser = Mark("ysoline.");
    private readonly string _reasonMark = Mark("reprise");
    private readonly string _noteMark = Mark("bulletins");
    private readonly string _accompanimentMark = Mark("guichet");
    private readonly string _revocationMark = Mark("arret");

    private IEnumerable<(string What, string Mark)> Canaries() =>
    [
        ("given name", _givenName), ("family name", _familyName), ("birth date", _birthDate), ("e-mail", _emailUser),
        ("referral reason", _reasonMark), ("booking note", _noteMark), ("accompaniment note", _accompanimentMark),
        ("revocation reason", _revocationMark),
    ];

    private string SearchPath => $"persons?familyName={_familyName}&givenName={_givenName}&birthDate={_birthDate}";

    /// <summary>Every read of the person's data by a professional that the test made, as the access log must show it.</summary>
    private readonly List<LoggedRead> _expectedReads = [];

    /// <summary>Every read of the person's data by the person (basis self), as the access log must show it too.</summary>
    private readonly List<LoggedRead> _ownReads = [];

    /// <summary>Each body's grant (consent id), as the person's record gives it in step 1.</summary>
    private readonly Dictionary<Guid, Guid> _grantOf = [];

    /// <summary>What an unknown id answers, per service and route, to compare the outsider's answers with.</summary>
    private readonly Dictionary<(string Service, string Route), string> _unknownAnswers = [];

    private async Task<Api> As(IServiceHost service, string login, string password = "demo") =>
        new(fixture.Client(service, await fixture.Tokens.User(login, password)));

    private async Task<Api> AsAdmin(IServiceHost service) => new(fixture.Client(service, await fixture.Tokens.Client()));

    private static string Subject(string token) => new JsonWebTokenHandler().ReadJsonWebToken(token).Subject;

    private static Professional Demo(string login)
    {
        var demo = DemoData.Logins.Single(l => l.Login == login);
        return new Professional(demo.DisplayName, demo.BodyId!.Value);
    }

    /// <summary>Notes one entry the person's access log must hold: under the reader's body's grant unless denied.</summary>
    private void Expect(Professional reader, string service, string route, string basis) =>
        _expectedReads.Add(new LoggedRead(reader.Key, service, route, basis, basis == Denied ? null : _grantOf[reader.BodyId]));

    /// <summary>
    /// A read of the person's data by a professional: the access log must show it exactly once, granted (on
    /// <paramref name="basis"/>) when the answer shows something of the person, denied otherwise.
    /// </summary>
    private async Task<Answer> Read(Api api, Professional reader, string service, string route, string path, Func<Answer, bool>? shows = null,
        string basis = "consent")
    {
        var answer = await api.Get(path);
        Expect(reader, service, "GET " + route, (shows ?? Shows)(answer) ? basis : Denied);
        return answer;
    }

    /// <summary>A read of the person's own data by the person: in their access log too, once, on the basis self.</summary>
    private async Task<Answer> OwnRead(Api api, string service, string route, string path)
    {
        var answer = await api.Get(path);
        _ownReads.Add(new LoggedRead(ThePerson, service, "GET " + route, "self", null));
        return answer;
    }

    /// <summary>Whether an answer shows anything of the person: not a 404, not a stub, not an empty search.</summary>
    private static bool Shows(Answer answer) => answer.Status == HttpStatusCode.OK && answer.Body switch
    {
        JsonArray hits => hits.Count > 0,
        JsonObject view => view["stub"]?.GetValue<bool>() != true,
        _ => true,
    };

    private static Func<Answer, bool> ListShows(Guid personId) => answer => answer.Status == HttpStatusCode.OK
        && answer.Json["items"]!.AsArray().Any(i => i!["personId"]!.GetValue<Guid>() == personId && !i["stub"]!.GetValue<bool>());

    private static async Task<Answer> Eventually(Func<Task<Answer>> call, Func<Answer, bool> done, string what)
    {
        Answer? last = null;
        await CoordinationFixture.AssertEventually(async () => done(last = await call()), Propagation,
            $"{what} (last answer {(int?)last?.Status}: {last?.Body?.ToJsonString()})");
        return last!;
    }

    [Fact]
    public async Task TheWholeStory()
    {
        var cafAgent = Demo("caf-agent@demo");
        var adviserReader = Demo("adviser@demo");
        using var ccas = await As(fixture.Consents, "social-worker@demo");
        var peerToken = await fixture.Tokens.User("peer-worker@demo");
        var peerSubject = Subject(peerToken);
        var outsider = await Outsider();
        var story = new Story();

        // 1. The CCAS social worker registers the person, who consents for 12 months: the CCAS and the CAF for the
        //    follow-up, France services for booking. The person activates their login with the code.
        var registering = DateTimeOffset.UtcNow;
        var registered = (await ccas.Post("persons", new
        {
            givenName = _givenName,
            familyName = _familyName,
            birthDate = _birthDate,
            email = _emailUser + "@exemple.fr",
            consentCollection = "in_person",
            grants = Grants.Select(g => new { bodyId = g.Key, categories = g.Value.Categories, purpose = g.Value.Purpose }).ToArray(),
        }, idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created).Json;
        var registeredBy = DateTimeOffset.UtcNow;
        var personId = story.PersonId = registered["id"]!.GetValue<Guid>();
        var code = registered["activationCode"]!.GetValue<string>();
        var consentIds = registered["consentIds"]!.AsArray().Select(c => c!.GetValue<Guid>()).ToArray();
        Assert.Equal(3, consentIds.Length);
        output.WriteLine($"person {personId}");

        var login = "ysoline" + personId.ToString("N")[..6];
        const string password = "un mot de passe sûr";
        await CoordinationFixture.AssertEventually(async () =>
        {
            using var browser = fixture.Tokens.Browser();
            var activated = await HtmlForms.Submit(browser, "account/activate", new Dictionary<string, string>
            {
                ["code"] = code, ["login"] = login, ["password"] = password, ["passwordConfirmation"] = password,
            });
            return activated.StatusCode == HttpStatusCode.OK;
        }, Propagation, "activation with the code");
        using var me = await As(fixture.Consents, login, password);

        // Each grant runs 12 months from the registration.
        var grants = (await OwnRead(me, "consents", "/me/consent-record", "me/consent-record")).Expect(HttpStatusCode.OK).Json["consents"]!.AsArray().Select(c => c!).ToList();
        Assert.Equal(consentIds.Order(), grants.Select(g => g["id"]!.GetValue<Guid>()).Order());
        foreach (var grant in grants)
        {
            var from = grant["validFrom"]!.GetValue<DateTimeOffset>();
            var until = grant["validUntil"]!.GetValue<DateTimeOffset>();
            Assert.InRange(from, registering.AddSeconds(-1), registeredBy.AddSeconds(1));
            Assert.True(Math.Abs((until - from.AddMonths(12)).TotalMilliseconds) < 1, $"grant {grant["id"]}: from {from:O} until {until:O}, not 12 months");
            _grantOf[grant["body"]!["id"]!.GetValue<Guid>()] = grant["id"]!.GetValue<Guid>();
        }
        Assert.Equal(Grants.Keys.Order(), _grantOf.Keys.Order());
        story.ConsentIds = consentIds;
        await NothingForTheOutsider(outsider, story, "after step 1 (registration)");

        // 2. The person chooses the peer worker as companion: attends appointments, sees appointments and contacts.
        var companionId = (await me.Post("me/companions", new
        {
            userSubject = peerSubject,
            relationship = "peer_worker",
            attendsAppointments = true,
            categories = new[] { "appointments", "contacts" },
        }, idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>();
        story.CompanionId = companionId;
        await NothingForTheOutsider(outsider, story, "after step 2 (companion)");

        // 3. The social worker refers the person to the CAF for the prime d'activité (once the CAF's grant and the
        //    CCAS's registration have reached Referrals).
        using var ccasReferrals = await As(fixture.Referrals, "social-worker@demo");
        var referralKey = Guid.NewGuid().ToString();
        var sent = await Eventually(() => ccasReferrals.Post("referrals", new
        {
            personId, toBodyId = DemoData.CafAude, need = Need, targetRight = "prime_activite", reason = $"Reprise d'activité à temps partiel ({_reasonMark})",
        }, idempotencyKey: referralKey), a => a.Status == HttpStatusCode.Created, "the referral to the CAF");
        var referralId = sent.Json["id"]!.GetValue<Guid>();
        story.ReferralId = referralId;
        await NothingForTheOutsider(outsider, story, "after step 3 (referral)");

        // 4. A CAF member finds the referral in the CAF's inbox, reviews and accepts it; the CAF designates a contact
        //    person for the person.
        using var caf = await As(fixture.Referrals, "caf-agent@demo");
        // (The person's name reaches Referrals through a consumer of its own, maybe a moment after the referral could be sent.)
        var inboxBefore = (await Eventually(() => Read(caf, cafAgent, "referrals", "/referrals", $"referrals?bodyId={DemoData.CafAude}&direction=inbox",
            ListShows(personId)), a => a.Status == HttpStatusCode.OK && a.Json["items"]!.AsArray().Any(i => i!["personName"] is not null), "the CAF's inbox")).Json;
        var listed = inboxBefore["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == referralId)!;
        Assert.False(listed["stub"]!.GetValue<bool>());
        Assert.StartsWith(_givenName, listed["personName"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Need, listed["need"]!.GetValue<string>());
        var seen = await Read(caf, cafAgent, "referrals", "/referrals/{id:guid}", $"referrals/{referralId}");
        seen.Expect(HttpStatusCode.OK);
        var reviewed = (await caf.Post($"referrals/{referralId}/review", new { }, ifMatch: seen.ETag)).Expect(HttpStatusCode.OK);
        (await caf.Post($"referrals/{referralId}/accept", new { }, ifMatch: reviewed.ETag)).Expect(HttpStatusCode.OK);
        using var cafDirectory = await As(fixture.Directory, "caf-agent@demo");
        var cafMembers = (await cafDirectory.Get($"bodies/{DemoData.CafAude}/members")).Expect(HttpStatusCode.OK).Json;
        var cafAgentMember = cafMembers["items"]!.AsArray().Single(m => m!["email"]?.GetValue<string>() == "caf-agent@demo")!["id"]!.GetValue<Guid>();
        await Eventually(() => caf.Put($"persons/{personId}/contact-persons/{DemoData.CafAude}", new { memberId = cafAgentMember }),
            a => a.Status is HttpStatusCode.OK or HttpStatusCode.Created, "the CAF's contact person");
        await NothingForTheOutsider(outsider, story, "after step 4 (accepted, contact person)");

        // 5. The France services adviser finds the person by name and birth date, and books a CAF slot for the
        //    referral on the person's behalf, companion attending.
        using var adviserConsents = await As(fixture.Consents, "adviser@demo");
        var found = await Eventually(() => Read(adviserConsents, adviserReader, "consents", "/persons", SearchPath),
            a => a.Status == HttpStatusCode.OK && a.Json.AsArray().Count == 1, "the exact-match search");
        Assert.Equal(personId, found.Json[0]!["id"]!.GetValue<Guid>());

        var slotId = await OpenCafSlot();
        using var adviser = await As(fixture.Appointments, "adviser@demo");
        var booked = await Eventually(() => adviser.Post("appointments", new
        {
            slotId, personId, companionId, companionAttends = true, referralId, note = $"Apporter les trois derniers bulletins de salaire ({_noteMark})",
        }, idempotencyKey: Guid.NewGuid().ToString()), a => a.Status == HttpStatusCode.Created, "the booking at the CAF");
        var appointmentId = booked.Json["id"]!.GetValue<Guid>();
        story.AppointmentId = appointmentId;
        await NothingForTheOutsider(outsider, story, "after step 5 (search, booking)");

        // 6. The peer worker logs the accompaniment; the CAF records attendance "seen"; the referral closes with the
        //    right opened, and the rights-opened statistics count it.
        using var peer = new Api(fixture.Client(fixture.Referrals, peerToken));
        await Eventually(() => peer.Post($"persons/{personId}/accompaniments", new
        {
            kind = "accompanied_to_appointment", on = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            bodyId = DemoData.CafAude, note = $"Accompagnement au rendez-vous CAF ({_accompanimentMark})",
        }, idempotencyKey: Guid.NewGuid().ToString()), a => a.Status == HttpStatusCode.Created, "the accompaniment by the companion");

        using var cafAppointments = await As(fixture.Appointments, "caf-agent@demo");
        var appointment = await Read(cafAppointments, cafAgent, "appointments", "/appointments/{id:guid}", $"appointments/{appointmentId}", basis: "booking");
        appointment.Expect(HttpStatusCode.OK);
        Assert.True(appointment.Json["companion"]!["attends"]!.GetValue<bool>());
        Assert.Contains(_noteMark, appointment.Json["note"]!.GetValue<string>(), StringComparison.Ordinal);
        (await cafAppointments.Post($"appointments/{appointmentId}/attendance", new { outcome = "seen" }, ifMatch: appointment.ETag)).Expect(HttpStatusCode.OK);

        var attended = await Eventually(async () => await Read(caf, cafAgent, "referrals", "/referrals/{id:guid}", $"referrals/{referralId}"),
            a => a.Status == HttpStatusCode.OK && a.Json.ToJsonString().Contains("attended", StringComparison.OrdinalIgnoreCase), "attendance on the referral");
        // What the CAF sees while its grant is active (the stub of step 8 withholds it).
        Assert.StartsWith(_givenName, attended.Json["personName"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Need, attended.Json["need"]!.GetValue<string>());
        Assert.Equal("prime_activite", attended.Json["targetRight"]!.GetValue<string>());
        Assert.Contains(_reasonMark, attended.Json["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        (await caf.Post($"referrals/{referralId}/close", new { outcome = "right_opened", targetRight = "prime_activite" }, ifMatch: attended.ETag))
            .Expect(HttpStatusCode.OK);
        await RightsOpenedCountsIt(caf, personId);

        // The person sees the accompaniment in their own follow-up (their own reads are not professional reads).
        using var meReferrals = await As(fixture.Referrals, login, password);
        var own = await Eventually(() => OwnRead(meReferrals, "referrals", "/persons/{personId:guid}/follow-up", $"persons/{personId}/follow-up"),
            a => a.Status == HttpStatusCode.OK && a.Json["accompaniments"]?.AsArray().Count == 1, "the accompaniment in the person's follow-up");
        Assert.Contains(_accompanimentMark, own.Json["accompaniments"]![0]!["note"]!.GetValue<string>(), StringComparison.Ordinal);
        await NothingForTheOutsider(outsider, story, "after step 6 (accompaniment, attendance, closing)");

        // 7. The person reads their consent record: every grant, the companion, the CAF contact person, and an access
        //    log listing each professional read of steps 3–6 exactly once.
        var record = (await Eventually(() => OwnRead(me, "consents", "/me/consent-record", "me/consent-record"),
            a => a.Status == HttpStatusCode.OK && a.Json["contactPersons"]!.AsArray().Any(b => b!["body"]!["id"]!.GetValue<Guid>() == DemoData.CafAude),
            "the CAF contact person in the consent record")).Json;
        Assert.Equal(_givenName, record["person"]!["givenName"]!.GetValue<string>());
        Assert.Equal(_familyName, record["person"]!["familyName"]!.GetValue<string>());
        var recorded = record["consents"]!.AsArray().Select(c => c!).ToList();
        Assert.Equal(consentIds.Order(), recorded.Select(c => c["id"]!.GetValue<Guid>()).Order());
        foreach (var grant in recorded)
        {
            var body = grant["body"]!["id"]!.GetValue<Guid>();
            Assert.True(Grants.TryGetValue(body, out var asked), $"a grant to an unexpected body {body}");
            Assert.Equal(_grantOf[body], grant["id"]!.GetValue<Guid>());
            Assert.Equal(asked.Purpose, grant["purpose"]!.GetValue<string>());
            Assert.Equal(asked.Categories.Order(), grant["categories"]!.AsArray().Select(c => c!.GetValue<string>()).Order());
            Assert.Equal("active", grant["status"]!.GetValue<string>());
        }
        Assert.Contains(record["companions"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == companionId);
        var contact = Assert.Single(record["contactPersons"]!.AsArray())!;
        Assert.Equal(DemoData.CafAude, contact["body"]!["id"]!.GetValue<Guid>());
        Assert.Equal(cafAgentMember, Assert.Single(contact["contactPersons"]!.AsArray())!["memberId"]!.GetValue<Guid>());
        await AccessLogHoldsEveryReadOnce(me, personId, "step 7");
        await NothingForTheOutsider(outsider, story, "after step 7 (consent record)");

        // 8. The person revokes the CAF grant: within the bounded delay the CAF member's follow-up view, which showed
        //    the referral just before, answers 404; the CAF keeps only its stubs, and the denied reads appear in the
        //    person's access log.
        var before = (await Read(caf, cafAgent, "referrals", "/persons/{personId:guid}/follow-up", $"persons/{personId}/follow-up"))
            .Expect(HttpStatusCode.OK).Json;
        Assert.Contains(before["orientations"]!.AsArray(), o => o!["id"]!.GetValue<Guid>() == referralId && !o["stub"]!.GetValue<bool>());

        var cafConsent = recorded.Single(c => c["body"]!["id"]!.GetValue<Guid>() == DemoData.CafAude);
        var revoked = (await me.Post($"me/consents/{cafConsent["id"]}/revoke", new { reason = $"Je préfère arrêter ({_revocationMark})" },
            ifMatch: $"\"{cafConsent["version"]}\"")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains(_revocationMark, revoked["revocation"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var revokedAt = DateTimeOffset.UtcNow;
        Answer followUp = null!;
        await CoordinationFixture.AssertEventually(async () => (followUp = await Read(caf, cafAgent, "referrals", "/persons/{personId:guid}/follow-up",
            $"persons/{personId}/follow-up")).Status == HttpStatusCode.NotFound, RevocationBound, "the CAF's follow-up answering 404");
        output.WriteLine($"revocation enforced in Referrals after {(DateTimeOffset.UtcNow - revokedAt).TotalMilliseconds:0} ms");
        Assert.Equal(NotFoundType, followUp.Json["type"]!.GetValue<string>());

        // The CAF's referral, read by id, is its stub (GET /referrals/{id}: "a party body that may no longer see it gets its stub").
        var stub = (await Read(caf, cafAgent, "referrals", "/referrals/{id:guid}", $"referrals/{referralId}")).Expect(HttpStatusCode.OK).Json;
        AssertReferralStub(stub, referralId);
        // Its inbox keeps the five referrals of the person, all stubs.
        var inbox = (await Read(caf, cafAgent, "referrals", "/referrals", $"referrals?bodyId={DemoData.CafAude}&direction=inbox", ListShows(personId)))
            .Expect(HttpStatusCode.OK).Json;
        var stubs = inbox["items"]!.AsArray().Where(i => i!["personId"]!.GetValue<Guid>() == personId).Select(i => i!).ToList();
        Assert.Equal(5, stubs.Count);
        Assert.Contains(stubs, s => s["id"]!.GetValue<Guid>() == referralId);
        foreach (var item in stubs) AssertReferralStub(item, item["id"]!.GetValue<Guid>());

        // Appointments: the CAF hosts the booking, and keeps its stub once the revocation has reached Appointments.
        Answer cafStub = null!;
        await CoordinationFixture.AssertEventually(async () => (cafStub = await Read(cafAppointments, cafAgent, "appointments", "/appointments/{id:guid}",
            $"appointments/{appointmentId}", basis: "booking")).Json["stub"]!.GetValue<bool>(), RevocationBound, "the CAF's appointment becoming its stub");
        output.WriteLine($"revocation enforced in Appointments after {(DateTimeOffset.UtcNow - revokedAt).TotalMilliseconds:0} ms");
        var appointmentStub = cafStub.Expect(HttpStatusCode.OK).Json;
        Assert.Equal(appointmentId, appointmentStub["id"]!.GetValue<Guid>());
        Assert.Equal(DemoData.CafAude, appointmentStub["bodyId"]!.GetValue<Guid>());
        Assert.Equal(appointment.Json["startsAt"]!.GetValue<DateTimeOffset>(), appointmentStub["startsAt"]!.GetValue<DateTimeOffset>());
        Assert.NotNull(appointmentStub["status"]);
        foreach (var withheld in new[] { "person", "companion", "note", "motif", "mode", "place", "referralId" })
        {
            Assert.True(appointmentStub[withheld] is null, $"the CAF's appointment stub shows {withheld}: {appointmentStub.ToJsonString()}");
        }
        var ics = await Read(cafAppointments, cafAgent, "appointments", "/appointments/{id:guid}/ics", $"appointments/{appointmentId}/ics");
        Assert.Equal(HttpStatusCode.NotFound, ics.Status);
        await NothingForTheOutsider(outsider, story, "after step 8 (revocation)");

        // Audit: every read of the story by a professional — granted or denied, the outsider's included — is in the
        // person's access log exactly once, and nothing else is.
        await AccessLogHoldsEveryReadOnce(me, personId, "the end of the story");

        // 9. The body never involved saw nothing at any step (checked after each step above).
        // Audit: no log line and no span of the whole run carries the person's data.
        NoCanaryInLogsOrSpans();
    }

    /// <summary>
    /// A stub as DESIGN §4 describes it: ids, dates, status and the body's own actions; no name, no details (need,
    /// right, urgency, reason, notes, who sent it).
    /// </summary>
    private void AssertReferralStub(JsonNode item, Guid id)
    {
        var json = item.ToJsonString();
        Assert.Equal(id, item["id"]!.GetValue<Guid>());
        Assert.True(item["stub"]!.GetValue<bool>(), $"not a stub: {json}");
        Assert.Equal("closed", item["status"]!.GetValue<string>());
        Assert.Equal(DemoData.CafAude, item["to"]!["id"]!.GetValue<Guid>());
        Assert.NotNull(item["sentAt"]);
        foreach (var withheld in new[] { "personName", "need", "serviceId", "targetRight", "urgency", "outcome", "reason", "sentBy", "previousReferralId", "nextReferralId" })
        {
            Assert.True(item[withheld] is null, $"the CAF's stub shows {withheld}: {json}");
        }
        Assert.False(item["detailsShown"]!.GetValue<bool>());
        var history = item["history"]!.AsArray();
        Assert.Contains(history, s => s!["kind"]!.GetValue<string>() == "closed");
        Assert.All(history, s =>
        {
            Assert.Equal(DemoData.CafAude, s!["by"]!["bodyId"]!.GetValue<Guid>());
            Assert.True(s["note"] is null, $"a note in the CAF's stub: {json}");
        });
        foreach (var (what, mark) in Canaries()) Assert.False(json.Contains(mark, StringComparison.OrdinalIgnoreCase), $"the {what} in the CAF's stub: {json}");
    }

    /// <summary>A social worker of an association the person never met, invited through Directory like any newcomer.</summary>
    private async Task<OutsiderApis> Outsider()
    {
        using var admin = await AsAdmin(fixture.Directory);
        var body = (await admin.Post("bodies", new { name = "Association Entraide Gruissan", kind = "association", address = new { communeInsee = "11170" } },
            idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>();
        var email = $"outsider-{Guid.NewGuid():N}@entraide.example";
        const string name = "Agent extérieur";
        (await admin.Post($"bodies/{body}/members", new { email, displayName = name, role = "social_worker", from = "2026-01-01" }))
            .Expect(HttpStatusCode.Created);
        await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.Invitations.ContainsKey(email)), Propagation, "the outsider's invitation");
        using (var browser = fixture.Tokens.Browser())
        {
            var set = await HtmlForms.Submit(browser, fixture.Invitations[email].PathAndQuery.TrimStart('/'), new Dictionary<string, string>
            {
                ["password"] = "mot de passe extérieur", ["passwordConfirmation"] = "mot de passe extérieur",
            });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        var token = await fixture.Tokens.User(email, "mot de passe extérieur");
        return new OutsiderApis(new Professional(name, body), new Api(fixture.Client(fixture.Consents, token)),
            new Api(fixture.Client(fixture.Referrals, token)), new Api(fixture.Client(fixture.Appointments, token)));
    }

    /// <summary>
    /// The outsider probes every route that exposes what the story has created so far: each answers the 404 of an
    /// unknown id (and is a denied read in the person's access log), the search finds nothing (a denied read too),
    /// the outsider's own lists hold nothing, and the lists of other bodies and the erasure are closed (403).
    /// </summary>
    private async Task NothingForTheOutsider(OutsiderApis outsider, Story story, string when)
    {
        var p = story.PersonId;
        var u = Guid.NewGuid();
        var probes = new List<(string Service, string Route, string Path, string Unknown)>
        {
            ("consents", "/persons/{id:guid}", $"persons/{p}", $"persons/{u}"),
            ("consents", "/persons/{id:guid}/consents", $"persons/{p}/consents", $"persons/{u}/consents"),
            ("consents", "/persons/{id:guid}/consent-receipt", $"persons/{p}/consent-receipt", $"persons/{u}/consent-receipt"),
            ("consents", "/persons/{id:guid}/companions", $"persons/{p}/companions", $"persons/{u}/companions"),
            ("consents", "/persons/{id:guid}/contact-persons", $"persons/{p}/contact-persons", $"persons/{u}/contact-persons"),
            ("consents", "/persons/{id:guid}/export", $"persons/{p}/export", $"persons/{u}/export"),
            ("consents", "/persons/{id:guid}/exports/{exportId:guid}", $"persons/{p}/exports/{Guid.NewGuid()}", $"persons/{u}/exports/{Guid.NewGuid()}"),
            ("referrals", "/persons/{personId:guid}/follow-up", $"persons/{p}/follow-up", $"persons/{u}/follow-up"),
            ("referrals", "/persons/{personId:guid}/contact-persons", $"persons/{p}/contact-persons", $"persons/{u}/contact-persons"),
            ("referrals", "/persons/{personId:guid}/accompaniments", $"persons/{p}/accompaniments", $"persons/{u}/accompaniments"),
            ("appointments", "/persons/{personId:guid}/appointments", $"persons/{p}/appointments", $"persons/{u}/appointments"),
        };
        foreach (var consent in story.ConsentIds)
        {
            probes.Add(("consents", "/persons/{id:guid}/consents/{consentId:guid}", $"persons/{p}/consents/{consent}", $"persons/{u}/consents/{Guid.NewGuid()}"));
            probes.Add(("consents", "/persons/{id:guid}/consents/{consentId:guid}/fhir", $"persons/{p}/consents/{consent}/fhir",
                $"persons/{u}/consents/{Guid.NewGuid()}/fhir"));
        }
        if (story.CompanionId is { } c)
        {
            probes.Add(("consents", "/persons/{id:guid}/companions/{companionId:guid}", $"persons/{p}/companions/{c}", $"persons/{u}/companions/{Guid.NewGuid()}"));
        }
        if (story.ReferralId is { } r) probes.Add(("referrals", "/referrals/{id:guid}", $"referrals/{r}", $"referrals/{Guid.NewGuid()}"));
        if (story.AppointmentId is { } a)
        {
            probes.Add(("appointments", "/appointments/{id:guid}", $"appointments/{a}", $"appointments/{Guid.NewGuid()}"));
            probes.Add(("appointments", "/appointments/{id:guid}/ics", $"appointments/{a}/ics", $"appointments/{Guid.NewGuid()}/ics"));
        }

        foreach (var (service, route, path, unknownPath) in probes)
        {
            var api = outsider.For(service);
            var answer = await api.Get(path);
            Expect(outsider.Reader, service, "GET " + route, Denied);
            if (!_unknownAnswers.TryGetValue((service, route), out var unknown))
            {
                unknown = _unknownAnswers[(service, route)] = Shape(await api.Get(unknownPath));
            }
            Assert.True(answer.Status == HttpStatusCode.NotFound, $"{when}: the outsider got {(int)answer.Status} on GET {route}: {answer.Body?.ToJsonString()}");
            Assert.True(unknown == Shape(answer), $"{when}: GET {route} answers the outsider {Shape(answer)}, an unknown id {unknown}");
        }

        var search = await outsider.Consents.Get(SearchPath);
        Expect(outsider.Reader, "consents", "GET /persons", Denied);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.True(search.Json.AsArray().Count == 0, $"{when}: the outsider's search found {search.Json.ToJsonString()}");

        var erasure = await outsider.Consents.Get($"persons/{p}/erasure");
        Assert.True(erasure.Status == HttpStatusCode.Forbidden, $"{when}: the outsider got {(int)erasure.Status} on GET /persons/{{id}}/erasure");

        foreach (var direction in new[] { "inbox", "outbox" })
        {
            var list = await outsider.Referrals.Get($"referrals?bodyId={outsider.Reader.BodyId}&direction={direction}");
            Assert.Equal(HttpStatusCode.OK, list.Status);
            // A body of its own, that never sent nor received a referral: nothing, and certainly not the story's.
            Assert.True(list.Json["items"]!.AsArray().Count == 0, $"{when}: the outsider's {direction} holds {list.Json.ToJsonString()}");
            foreach (var other in new[] { DemoData.CafAude, DemoData.CcasNarbonne })
            {
                var theirs = await outsider.Referrals.Get($"referrals?bodyId={other}&direction={direction}");
                Assert.True(theirs.Status == HttpStatusCode.Forbidden, $"{when}: the outsider got {(int)theirs.Status} on the {direction} of {other}");
            }
        }
    }

    /// <summary>An answer's status and body without what differs from request to request (trace id, instance).</summary>
    private static string Shape(Answer answer)
    {
        if (answer.Body?.DeepClone() is not JsonObject body) return $"{(int)answer.Status} {answer.Body?.ToJsonString()}";
        body.Remove("traceId");
        body.Remove("instance");
        return $"{(int)answer.Status} {body.ToJsonString()}";
    }

    /// <summary>An admin adds a CAF place and opens a schedule there; the first free slot bookable by partners.</summary>
    private async Task<Guid> OpenCafSlot()
    {
        using var directory = await AsAdmin(fixture.Directory);
        var placeId = (await directory.Post($"bodies/{DemoData.CafAude}/places", new
        {
            name = "Accueil CAF de Narbonne",
            address = new { line = "8 boulevard Gambetta", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
        })).Expect(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>();

        using var appointments = await AsAdmin(fixture.Appointments);
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        await Eventually(() => appointments.Post($"bodies/{DemoData.CafAude}/opening-schedules", new
        {
            placeId,
            motif = "prime d'activité",
            mode = "in_person",
            durationMinutes = 30,
            capacity = 1,
            bookableBy = new[] { "body_members", "partner_professionals", "person" },
            minimumDelayMinutes = 0,
            maximumDelayDays = 60,
            recurrence = new
            {
                days = Enum.GetNames<DayOfWeek>().Select(d => d.ToLowerInvariant()).ToArray(),
                startTime = "09:00", endTime = "12:00",
                from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                to = from.AddDays(13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
        }, idempotencyKey: Guid.NewGuid().ToString()), a => a.Status == HttpStatusCode.Created, "the CAF schedule (once the place reached Appointments)");

        using var adviser = await As(fixture.Appointments, "adviser@demo");
        var slots = (await adviser.Get($"slots?bodyId={DemoData.CafAude}&from={from:yyyy-MM-dd}&to={from.AddDays(13):yyyy-MM-dd}")).Expect(HttpStatusCode.OK).Json;
        return slots["items"]![0]!["id"]!.GetValue<Guid>();
    }

    /// <summary>
    /// Cells under 5 are shown as "&lt;5", so one closed referral cannot be seen: four more referrals of the person
    /// to the CAF are closed with the prime d'activité opened, and the cell must then read 5.
    /// </summary>
    private async Task RightsOpenedCountsIt(Api caf, Guid personId)
    {
        using var ccas = await As(fixture.Referrals, "social-worker@demo");
        for (var i = 0; i < 4; i++)
        {
            var sent = (await ccas.Post("referrals", new { personId, toBodyId = DemoData.CafAude, need = Need, targetRight = "prime_activite" },
                idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created);
            var id = sent.Json["id"]!.GetValue<Guid>();
            var accepted = (await caf.Post($"referrals/{id}/accept", new { }, ifMatch: sent.ETag)).Expect(HttpStatusCode.OK);
            (await caf.Post($"referrals/{id}/close", new { outcome = "right_opened", targetRight = "prime_activite" }, ifMatch: accepted.ETag))
                .Expect(HttpStatusCode.OK);
        }
        using var coordinator = await As(fixture.Referrals, "coordinator@demo");
        var statistics = (await coordinator.Get("statistics/rights-opened?departement=11")).Expect(HttpStatusCode.OK).Json;
        var cell = statistics["departements"]!.AsArray().Single(d => d!["departement"]?.GetValue<string>() == "11")!["cells"]!.AsArray()
            .Single(c => c!["targetRight"]?.GetValue<string>() == "prime_activite" && c["outcome"]!.GetValue<string>() == "right_opened")!;
        Assert.Equal("5", cell["count"]!.ToJsonString().Trim('"'));
    }

    /// <summary>
    /// The person's access log, compared one for one with the reads the test made: every entry of a professional
    /// (granted or denied) is a read the test made, with its reader, service, route, basis and grant, and every read
    /// the test made is there exactly once — no missing entry, no extra, no duplicate; the same for the person's own
    /// reads (basis self). So that no entry can still be on its way, the log must also hold as many entries as the
    /// three services appended access events for the person.
    /// </summary>
    private async Task AccessLogHoldsEveryReadOnce(Api me, Guid personId, string when)
    {
        var expected = Count(_expectedReads.Concat(_ownReads));
        List<JsonNode> entries = [];
        long appended = 0;
        Dictionary<LoggedRead, int> logged = [];
        try
        {
            await CoordinationFixture.AssertEventually(async () =>
            {
                entries = await AccessLog(me);
                appended = await AccessEventsAppended(personId);
                logged = Count(entries.Select(ToLoggedRead));
                return entries.Count == appended && logged.Count == expected.Count && expected.All(kv => logged.GetValueOrDefault(kv.Key) == kv.Value);
            }, Propagation, "every read in the access log");
        }
        catch (TimeoutException)
        {
            var missing = expected.Where(kv => logged.GetValueOrDefault(kv.Key) < kv.Value).Select(kv => $"  missing {kv.Value - logged.GetValueOrDefault(kv.Key)} × {kv.Key}");
            var extra = logged.Where(kv => expected.GetValueOrDefault(kv.Key) < kv.Value).Select(kv => $"  extra {kv.Value - expected.GetValueOrDefault(kv.Key)} × {kv.Key}");
            Assert.Fail($"At {when}, the access log ({entries.Count} entries; {appended} access events appended by the services) does not match "
                + $"the {_expectedReads.Count} professional reads and {_ownReads.Count} reads by the person made:{Environment.NewLine}"
                + string.Join(Environment.NewLine, missing.Concat(extra)));
        }
        var denied = _expectedReads.Count(r => r.Basis == Denied);
        output.WriteLine($"at {when}: {_expectedReads.Count} professional reads ({_expectedReads.Count - denied} granted, {denied} denied) and "
            + $"{_ownReads.Count} reads by the person, each logged exactly once");
    }

    private static async Task<List<JsonNode>> AccessLog(Api me)
    {
        var entries = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var answer = (await me.Get($"me/access-log?page={page}&pageSize=100")).Expect(HttpStatusCode.OK).Json;
            var items = answer["items"]!.AsArray().Select(i => i!).ToList();
            entries.AddRange(items);
            if (items.Count < 100) return entries;
        }
    }

    /// <summary>The access events (PersonDataRead) the three services appended for the person, in their event stores.</summary>
    private async Task<long> AccessEventsAppended(Guid personId)
    {
        var counts = new[] { "consents", "referrals", "appointments" }.Select(schema =>
            $"(select count(*) from {schema}.mt_events where type = 'person_data_read' and data::text like '%{personId}%')");
        return await fixture.Database.Scalar<long>("select " + string.Join(" + ", counts));
    }

    private static LoggedRead ToLoggedRead(JsonNode entry)
    {
        var reader = entry["reader"]!;
        var body = reader["body"]?["id"]?.GetValue<Guid>();
        var who = reader["role"]!.GetValue<string>() == "person" ? ThePerson : $"{reader["name"]!.GetValue<string>()} ({body})";
        return new LoggedRead(who, entry["service"]!.GetValue<string>(),
            entry["route"]!.GetValue<string>(), entry["basis"]!.GetValue<string>(), entry["consentId"]?.GetValue<Guid>());
    }

    private static Dictionary<LoggedRead, int> Count(IEnumerable<LoggedRead> reads) => reads.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// DESIGN §5: logs and spans carry ids, never names, birth dates, contact details or notes. Every mark planted in the
    /// person's data is looked for in every captured log line (message, values, scopes, exception) and span (name,
    /// tags, events, status, links, baggage) of the run.
    /// </summary>
    private void NoCanaryInLogsOrSpans()
    {
        var logs = fixture.LogEntries;
        var spans = fixture.Spans.Spans.ToList();
        Assert.Equal(new[] { "appointments", "consents", "directory", "identity", "referrals" }, fixture.Logs.Keys.Order());
        // The scan reads scopes: lines written while serving a request carry the request's scope.
        Assert.Contains(logs, l => l.Text.Contains("RequestPath:", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Kind == System.Diagnostics.ActivityKind.Server);
        var hits = Canaries().SelectMany(c =>
            logs.Where(l => l.Text.Contains(c.Mark, StringComparison.OrdinalIgnoreCase)).Select(l => $"the {c.What} in a log line: {l.Level} {l.Category}: {l.Text}")
                .Concat(spans.Where(s => s.Text.Contains(c.Mark, StringComparison.OrdinalIgnoreCase)).Select(s => $"the {c.What} in a span of {s.Source}: {s.Text}")))
            .ToList();
        Assert.True(hits.Count == 0, string.Join(Environment.NewLine, hits.Take(20)));
        output.WriteLine($"{logs.Count} log lines and {spans.Count} spans scanned for {Canaries().Count()} marks of the person's data");
    }

    /// <summary>One entry of the access log: who read (name and body), where, through which route, on what basis, under which grant.</summary>
    private sealed record LoggedRead(string Reader, string Service, string Route, string Basis, Guid? ConsentId)
    {
        public override string ToString() => $"{Reader} {Service} {Route} {Basis} {ConsentId}";
    }

    private sealed record Professional(string Name, Guid BodyId)
    {
        public string Key => $"{Name} ({BodyId})";
    }

    /// <summary>What the story has created so far, for the outsider to probe.</summary>
    private sealed class Story
    {
        public Guid PersonId { get; set; }
        public Guid[] ConsentIds { get; set; } = [];
        public Guid? CompanionId { get; set; }
        public Guid? ReferralId { get; set; }
        public Guid? AppointmentId { get; set; }
    }

    private sealed record OutsiderApis(Professional Reader, Api Consents, Api Referrals, Api Appointments)
    {
        public Api For(string service) => service switch
        {
            "consents" => Consents,
            "referrals" => Referrals,
            "appointments" => Appointments,
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };
    }
}
