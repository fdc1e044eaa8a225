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

    private readonly List<(string Reader, string Service, string Route)> _professionalReads = [];

    private async Task<Api> As(IServiceHost service, string login, string password = "demo") =>
        new(fixture.Client(service, await fixture.Tokens.User(login, password)));

    private async Task<Api> AsAdmin(IServiceHost service) => new(fixture.Client(service, await fixture.Tokens.Client()));

    private static string Subject(string token) => new JsonWebTokenHandler().ReadJsonWebToken(token).Subject;

    /// <summary>A read of the person's data by a professional: the access log must show it exactly once.</summary>
    private async Task<Answer> Read(Api api, string reader, string service, string routeTemplate, string route)
    {
        var answer = await api.Get(route);
        _professionalReads.Add((reader, service, "GET " + routeTemplate));
        return answer;
    }

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
        using var ccas = await As(fixture.Consents, "social-worker@demo");
        var peerToken = await fixture.Tokens.User("peer-worker@demo");
        var peerSubject = Subject(peerToken);
        var outsider = await Outsider();

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
        var personId = registered["id"]!.GetValue<Guid>();
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
        var grants = (await me.Get("me/consent-record")).Expect(HttpStatusCode.OK).Json["consents"]!.AsArray().Select(c => c!).ToList();
        Assert.Equal(consentIds.Order(), grants.Select(g => g["id"]!.GetValue<Guid>()).Order());
        var grantOf = new Dictionary<Guid, Guid>();
        foreach (var grant in grants)
        {
            var from = grant["validFrom"]!.GetValue<DateTimeOffset>();
            var until = grant["validUntil"]!.GetValue<DateTimeOffset>();
            Assert.InRange(from, registering.AddSeconds(-1), registeredBy.AddSeconds(1));
            Assert.True(Math.Abs((until - from.AddMonths(12)).TotalMilliseconds) < 1, $"grant {grant["id"]}: from {from:O} until {until:O}, not 12 months");
            grantOf[grant["body"]!["id"]!.GetValue<Guid>()] = grant["id"]!.GetValue<Guid>();
        }
        Assert.Equal(Grants.Keys.Order(), grantOf.Keys.Order());
        await NothingForTheOutsider(outsider, personId, "after registration");

        // 2. The person chooses the peer worker as companion: attends appointments, sees appointments and contacts.
        var companionId = (await me.Post("me/companions", new
        {
            userSubject = peerSubject,
            relationship = "peer_worker",
            attendsAppointments = true,
            categories = new[] { "appointments", "contacts" },
        }, idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>();

        // 3. The social worker refers the person to the CAF for the prime d'activité (once the CAF's grant and the
        //    CCAS's registration have reached Referrals).
        using var ccasReferrals = await As(fixture.Referrals, "social-worker@demo");
        var referralKey = Guid.NewGuid().ToString();
        var sent = await Eventually(() => ccasReferrals.Post("referrals", new
        {
            personId, toBodyId = DemoData.CafAude, need = Need, targetRight = "prime_activite", reason = $"Reprise d'activité à temps partiel ({_reasonMark})",
        }, idempotencyKey: referralKey), a => a.Status == HttpStatusCode.Created, "the referral to the CAF");
        var referralId = sent.Json["id"]!.GetValue<Guid>();
        await NothingForTheOutsider(outsider, personId, "after the referral", referralId);

        // 4. A CAF member reviews and accepts; the CAF designates a contact person for the person.
        using var caf = await As(fixture.Referrals, "caf-agent@demo");
        var seen = await Read(caf, "caf-agent@demo", "referrals", "/referrals/{id:guid}", $"referrals/{referralId}");
        seen.Expect(HttpStatusCode.OK);
        var reviewed = (await caf.Post($"referrals/{referralId}/review", new { }, ifMatch: seen.ETag)).Expect(HttpStatusCode.OK);
        var accepted = (await caf.Post($"referrals/{referralId}/accept", new { }, ifMatch: reviewed.ETag)).Expect(HttpStatusCode.OK);
        using var cafDirectory = await As(fixture.Directory, "caf-agent@demo");
        var cafMembers = (await cafDirectory.Get($"bodies/{DemoData.CafAude}/members")).Expect(HttpStatusCode.OK).Json;
        var cafAgentMember = cafMembers["items"]!.AsArray().Single(m => m!["email"]?.GetValue<string>() == "caf-agent@demo")!["id"]!.GetValue<Guid>();
        await Eventually(() => caf.Put($"persons/{personId}/contact-persons/{DemoData.CafAude}", new { memberId = cafAgentMember }),
            a => a.Status is HttpStatusCode.OK or HttpStatusCode.Created, "the CAF's contact person");

        // 5. The France services adviser finds the person by name and birth date, and books a CAF slot for the
        //    referral on the person's behalf, companion attending.
        using var adviserConsents = await As(fixture.Consents, "adviser@demo");
        var found = await Eventually(async () =>
        {
            var answer = await adviserConsents.Get(SearchPath);
            return answer;
        }, a => a.Status == HttpStatusCode.OK && a.Json.AsArray().Count == 1, "the exact-match search");
        _professionalReads.Add(("adviser@demo", "consents", "GET /persons"));
        Assert.Equal(personId, found.Json[0]!["id"]!.GetValue<Guid>());

        var slotId = await OpenCafSlot();
        using var adviser = await As(fixture.Appointments, "adviser@demo");
        var booked = await Eventually(() => adviser.Post("appointments", new
        {
            slotId, personId, companionId, companionAttends = true, referralId, note = $"Apporter les trois derniers bulletins de salaire ({_noteMark})",
        }, idempotencyKey: Guid.NewGuid().ToString()), a => a.Status == HttpStatusCode.Created, "the booking at the CAF");
        var appointmentId = booked.Json["id"]!.GetValue<Guid>();
        await NothingForTheOutsider(outsider, personId, "after the booking", referralId, appointmentId);

        // 6. The peer worker logs the accompaniment; the CAF records attendance "seen"; the referral closes with the
        //    right opened, and the rights-opened statistics count it.
        using var peer = new Api(fixture.Client(fixture.Referrals, peerToken));
        await Eventually(() => peer.Post($"persons/{personId}/accompaniments", new
        {
            kind = "accompanied_to_appointment", on = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            bodyId = DemoData.CafAude, note = $"Accompagnement au rendez-vous CAF ({_accompanimentMark})",
        }, idempotencyKey: Guid.NewGuid().ToString()), a => a.Status == HttpStatusCode.Created, "the accompaniment by the companion");

        using var cafAppointments = await As(fixture.Appointments, "caf-agent@demo");
        var appointment = await Read(cafAppointments, "caf-agent@demo", "appointments", "/appointments/{id:guid}", $"appointments/{appointmentId}");
        appointment.Expect(HttpStatusCode.OK);
        Assert.True(appointment.Json["companion"]!["attends"]!.GetValue<bool>());
        Assert.Contains(_noteMark, appointment.Json["note"]!.GetValue<string>(), StringComparison.Ordinal);
        (await cafAppointments.Post($"appointments/{appointmentId}/attendance", new { outcome = "seen" }, ifMatch: appointment.ETag)).Expect(HttpStatusCode.OK);

        var attended = await Eventually(async () => await Read(caf, "caf-agent@demo", "referrals", "/referrals/{id:guid}", $"referrals/{referralId}"),
            a => a.Status == HttpStatusCode.OK && a.Json.ToJsonString().Contains("attended", StringComparison.OrdinalIgnoreCase), "attendance on the referral");
        Assert.StartsWith(_givenName, attended.Json["personName"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(_reasonMark, attended.Json["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        (await caf.Post($"referrals/{referralId}/close", new { outcome = "right_opened", targetRight = "prime_activite" }, ifMatch: attended.ETag))
            .Expect(HttpStatusCode.OK);
        await RightsOpenedCountsIt(caf, personId);

        // The person sees the accompaniment in their own follow-up (their own reads are not professional reads).
        using var meReferrals = await As(fixture.Referrals, login, password);
        var own = await Eventually(() => meReferrals.Get($"persons/{personId}/follow-up"),
            a => a.Status == HttpStatusCode.OK && a.Json["accompaniments"]?.AsArray().Count == 1, "the accompaniment in the person's follow-up");
        Assert.Contains(_accompanimentMark, own.Json["accompaniments"]![0]!["note"]!.GetValue<string>(), StringComparison.Ordinal);
        await NothingForTheOutsider(outsider, personId, "after the closing", referralId, appointmentId);

        // 7. The person reads their consent record: every grant, the companion, the CAF contact person, and an access
        //    log listing each professional read of steps 3–6 exactly once.
        var record = await Eventually(() => me.Get("me/consent-record"),
            a => a.Status == HttpStatusCode.OK && a.Json["contactPersons"]!.AsArray().Any(b => b!["body"]!["id"]!.GetValue<Guid>() == DemoData.CafAude),
            "the CAF contact person in the consent record");
        Assert.Equal(_givenName, record.Json["person"]!["givenName"]!.GetValue<string>());
        Assert.Equal(_familyName, record.Json["person"]!["familyName"]!.GetValue<string>());
        var recorded = record.Json["consents"]!.AsArray().Select(c => c!).ToList();
        Assert.Equal(consentIds.Order(), recorded.Select(c => c["id"]!.GetValue<Guid>()).Order());
        foreach (var grant in recorded)
        {
            var body = grant["body"]!["id"]!.GetValue<Guid>();
            Assert.True(Grants.TryGetValue(body, out var asked), $"a grant to an unexpected body {body}");
            Assert.Equal(grantOf[body], grant["id"]!.GetValue<Guid>());
            Assert.Equal(asked.Purpose, grant["purpose"]!.GetValue<string>());
            Assert.Equal(asked.Categories.Order(), grant["categories"]!.AsArray().Select(c => c!.GetValue<string>()).Order());
            Assert.Equal("active", grant["status"]!.GetValue<string>());
        }
        Assert.Contains(record.Json["companions"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == companionId);
        var contact = Assert.Single(record.Json["contactPersons"]!.AsArray())!;
        Assert.Equal(DemoData.CafAude, contact["body"]!["id"]!.GetValue<Guid>());
        Assert.Equal(cafAgentMember, Assert.Single(contact["contactPersons"]!.AsArray())!["memberId"]!.GetValue<Guid>());
        await EveryProfessionalReadLoggedExactlyOnce(me);

        // 8. The person revokes the CAF grant: within the bounded delay the CAF member's follow-up view answers 404,
        //    the CAF keeps only its stubs, and the denied read appears in the person's access log.
        var cafConsent = record.Json["consents"]!.AsArray().Single(c => c!["body"]!["id"]!.GetValue<Guid>() == DemoData.CafAude)!;
        var revoked = (await me.Post($"me/consents/{cafConsent["id"]}/revoke", new { reason = $"Je préfère arrêter ({_revocationMark})" },
            ifMatch: $"\"{cafConsent["version"]}\"")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains(_revocationMark, revoked["revocation"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var revokedAt = DateTimeOffset.UtcNow;
        Answer followUp = null!;
        await CoordinationFixture.AssertEventually(async () =>
            (followUp = await caf.Get($"persons/{personId}/follow-up")).Status == HttpStatusCode.NotFound, RevocationBound, "the CAF's follow-up answering 404");
        output.WriteLine($"revocation enforced in Referrals after {(DateTimeOffset.UtcNow - revokedAt).TotalMilliseconds:0} ms");
        Assert.Equal("urn:coordination:problem:not-found", followUp.Json["type"]!.GetValue<string>());
        var inbox = (await caf.Get($"referrals?bodyId={DemoData.CafAude}&direction=inbox")).Expect(HttpStatusCode.OK).Json;
        var stub = inbox["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == referralId)!;
        foreach (var (what, mark) in Canaries()) Assert.False(stub.ToJsonString().Contains(mark, StringComparison.OrdinalIgnoreCase), $"the {what} in the CAF's stub");
        Assert.Null(stub["reason"]);
        Assert.Null(stub["personName"]);
        await Eventually(() => me.Get("me/access-log?pageSize=100"), a => a.Status == HttpStatusCode.OK && a.Json["items"]!.AsArray().Any(e =>
            e!["basis"]!.GetValue<string>() == "denied" && e["service"]!.GetValue<string>() == "referrals"
            && e["reader"]!["body"]?["id"]?.GetValue<Guid>() == DemoData.CafAude), "the CAF's denied read in the access log");

        // 9. The body never involved saw nothing at any step (checked above after each step), and now neither.
        await NothingForTheOutsider(outsider, personId, "at the end", referralId, appointmentId);

        // Audit: no log line and no span of the whole run carries the person's data.
        NoCanaryInLogsOrSpans();
    }

    /// <summary>A social worker of an association the person never met, invited through Directory like any newcomer.</summary>
    private async Task<OutsiderApis> Outsider()
    {
        using var admin = await AsAdmin(fixture.Directory);
        var body = (await admin.Post("bodies", new { name = "Association Entraide Gruissan", kind = "association", address = new { communeInsee = "11170" } },
            idempotencyKey: Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created).Json["id"]!.GetValue<Guid>();
        var email = $"outsider-{Guid.NewGuid():N}@entraide.example";
        (await admin.Post($"bodies/{body}/members", new { email, displayName = "Agent extérieur", role = "social_worker", from = "2026-01-01" }))
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
        return new OutsiderApis(body, new Api(fixture.Client(fixture.Consents, token)), new Api(fixture.Client(fixture.Referrals, token)),
            new Api(fixture.Client(fixture.Appointments, token)));
    }

    private async Task NothingForTheOutsider(OutsiderApis outsider, Guid personId, string when, Guid? referralId = null, Guid? appointmentId = null)
    {
        var answers = new List<(string What, Answer Answer)>
        {
            ("GET /persons/{id}", await outsider.Consents.Get($"persons/{personId}")),
            ("GET /persons/{id}/consents", await outsider.Consents.Get($"persons/{personId}/consents")),
            ("GET /persons/{id}/follow-up", await outsider.Referrals.Get($"persons/{personId}/follow-up")),
            ("GET /persons/{id}/appointments", await outsider.Appointments.Get($"persons/{personId}/appointments")),
        };
        if (referralId is { } r) answers.Add(("GET /referrals/{id}", await outsider.Referrals.Get($"referrals/{r}")));
        if (appointmentId is { } a) answers.Add(("GET /appointments/{id}", await outsider.Appointments.Get($"appointments/{a}")));
        foreach (var (what, answer) in answers)
        {
            Assert.True(answer.Status == HttpStatusCode.NotFound, $"{when}: the outsider got {(int)answer.Status} on {what}: {answer.Body?.ToJsonString()}");
            foreach (var (data, mark) in Canaries())
            {
                Assert.False((answer.Body?.ToJsonString() ?? "").Contains(mark, StringComparison.OrdinalIgnoreCase), $"{when}: the {data} on {what}");
            }
        }
        var search = await outsider.Consents.Get(SearchPath);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Empty(search.Json.AsArray());
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

    private async Task EveryProfessionalReadLoggedExactlyOnce(Api me)
    {
        var expected = _professionalReads.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Dictionary<(string, string, string), int> logged = [];
        await CoordinationFixture.AssertEventually(async () =>
        {
            var entries = new List<JsonNode>();
            for (var page = 1; ; page++)
            {
                var answer = (await me.Get($"me/access-log?page={page}&pageSize=100")).Expect(HttpStatusCode.OK).Json;
                var items = answer["items"]!.AsArray().Select(i => i!).ToList();
                entries.AddRange(items);
                if (items.Count < 100) break;
            }
            logged = entries.Where(e => e["basis"]!.GetValue<string>() is not ("self" or "denied"))
                .GroupBy(e => (Login(e), e["service"]!.GetValue<string>(), e["route"]!.GetValue<string>()))
                .ToDictionary(g => g.Key, g => g.Count());
            return expected.All(kv => logged.GetValueOrDefault(kv.Key) == kv.Value);
        }, Propagation, "every professional read in the access log");
        foreach (var (read, count) in expected) Assert.Equal(count, logged[read]);
        output.WriteLine($"{expected.Values.Sum()} professional reads, each logged exactly once");
    }

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

    private static string Login(JsonNode entry) => entry["reader"]!["name"]!.GetValue<string>() switch
    {
        var name when name.Contains("(CAF)", StringComparison.Ordinal) => "caf-agent@demo",
        var name when name.Contains("(France services)", StringComparison.Ordinal) => "adviser@demo",
        var name => name,
    };

    private sealed record OutsiderApis(Guid BodyId, Api Consents, Api Referrals, Api Appointments);
}
