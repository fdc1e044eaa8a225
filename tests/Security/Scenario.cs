using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appointments.Api.Copies;
using Appointments.Api.Webhooks.Outbox;
using Consents.Api.ContactPersons;
using Consents.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Activating;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Referrals.Api.Copies;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Security.Tests;

/// <summary>Everything the tests need of the scenario: actors, the two persons, the ways to fill route parameters.</summary>
public sealed record Scenario(
    IReadOnlyList<Actor> Actors,
    Target A,
    Target B,
    IReadOnlyList<Context> Contexts,
    Guid SensitiveBody,
    Guid CcasWebhook,
    Guid AppointmentOfA,
    Guid AppointmentOfB,
    Guid FreeSlot,
    Leaver Leaver,
    string IdentityTokenOfA,
    string AccessTokenWithoutOpenId,
    string PartnerClientId,
    string PartnerClientSecret,
    IReadOnlyList<string> Timeline)
{
    public Actor Actor(string name) => Actors.Single(a => a.Name == name);

    public IEnumerable<Target> Targets => [A, B];
}

/// <summary>A CAF member signed in with a refresh token, for the test that ends their membership.</summary>
public sealed record Leaver(Guid MemberId, string Email, string RefreshToken);

/// <summary>
/// Builds the scenario through the services' real APIs, as the people of DESIGN §2 would:
///
/// - the admin registers a sensitive body (a shelter); the CCAS coordinator adds a place, a service and a member
///   (the future contact person, whose name is a canary) and registers a webhook endpoint; the admin adds a place
///   at the Mairie and opens a schedule there for partner professionals; the CCAS opens one for persons;
/// - person A (canaries in names, e-mail and birth date) is registered by the CCAS social worker with follow-up grants
///   to the CCAS, the Mairie and the shelter, and a booking grant to France services; person B by the CAF agent with a
///   follow-up grant to the CAF. Both activate their login with the code of the 201 at Identity's activation form;
/// - A chooses two companions: the platform peer worker (appointments and contacts) and a named relative (a canary);
/// - the CCAS refers A to the Mairie and to the shelter (reasons are canaries, due dates unusual), and designates the
///   canary member as A's contact person; the France services adviser books A at the Mairie with the peer worker
///   attending, for the first referral, with a canary note; the peer worker logs an accompaniment (canary note);
/// - B books a CCAS slot for themself (canary note), which the CCAS webhook endpoint receives.
///
/// The CAF and the peer workers' association are never involved with A. Every fact the oracle needs is recorded as
/// it is made, then the builder waits until every service's copies hold them.
/// </summary>
public sealed class ScenarioBuilder(SecurityFixture fixture)
{
    public const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
    private const string PersonPassword = "un mot de passe solide";

    private static readonly Guid Ccas = DemoData.CcasNarbonne;
    private static readonly Guid Caf = DemoData.CafAude;
    private static readonly Guid FranceServices = DemoData.FranceServicesNarbonne;
    private static readonly Guid Mairie = DemoData.MairieNarbonne;
    private static readonly string[] GateServices = ["consents", "referrals", "appointments"];
    private static readonly string[] EveryDay = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _timeline = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Notes how long the scenario took to get here (the suite has a time budget).</summary>
    private void Step(string what) => _timeline.Add($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    /// <summary>A random token of lower-case letters (names must be letters): a canary no other data can contain.</summary>
    private static string Canary(string prefix) =>
        prefix + new string(Enumerable.Range(0, 12).Select(_ => (char)('a' + RandomNumberGenerator.GetInt32(26))).ToArray());

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParisToday() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).DateTime);

    public async Task<Scenario> BuildAsync()
    {
        await WaitForDemoData();
        Step("demo data in every service");
        var actors = await SignInProfessionals();
        Step("actors signed in");
        var admin = _tokens["admin-client"];
        var coordinator = _tokens["coordinator@demo"];
        var socialWorker = _tokens["social-worker@demo"];
        var today = ParisToday();

        // ---- Directory: a sensitive body, places, a service, the contact person to be, a member who will leave ----
        var shelterToken = Canary("Abri");
        var shelter = await Create("directory", "bodies", admin, new JsonObject
        {
            ["name"] = "Centre d'hébergement " + shelterToken, ["kind"] = "association",
            ["address"] = new JsonObject { ["communeInsee"] = "11262" }, ["sensitive"] = true,
        });
        var mairiePlace = await Create("directory", $"bodies/{Mairie}/places", admin, Place("Accueil de la mairie"));
        var ccasPlace = await Create("directory", $"bodies/{Ccas}/places", coordinator, Place("Accueil du CCAS"));
        var ccasService = await Create("directory", $"bodies/{Ccas}/services", coordinator, new JsonObject
        {
            ["name"] = "Accès aux droits", ["description"] = "Accompagnement à l'accès aux droits sociaux.",
        });
        var contactToken = Canary("Referente");
        var contactMember = await Create("directory", $"bodies/{Ccas}/members", coordinator, new JsonObject
        {
            ["email"] = $"referente.{contactToken}@ccas.example", ["displayName"] = "Référente " + contactToken, ["role"] = "social_worker",
        });
        // A peer worker of the peer workers' association whom A never chose (the demo's only peer worker is A's companion).
        var peerEmail = $"pair-aidant.{Canary("x")}@pairs.example";
        var peerMember = await Create("directory", $"bodies/{DemoData.AssociationPairs}/members", admin, new JsonObject
        {
            ["email"] = peerEmail, ["displayName"] = "Pair aidant de l'association", ["role"] = "peer_worker",
        });
        var leaverEmail = $"sortant.{Canary("x")}@caf.example";
        var leaverMember = await Create("directory", $"bodies/{Caf}/members", admin, new JsonObject
        {
            ["email"] = leaverEmail, ["displayName"] = "Agent sortant", ["role"] = "social_worker",
        });
        await WaitInEach(GateServices, async s => await s.LoadAsync<BodyCopy>(shelter) is { Sensitive: true }, "the shelter's copy");
        await Wait("appointments", async s => await s.LoadAsync<PlaceCopy>(mairiePlace) is not null && await s.LoadAsync<PlaceCopy>(ccasPlace) is not null,
            "the places' copies");
        await Wait("referrals", async s => await s.LoadAsync<Referrals.Api.Copies.MemberCopy>(contactMember) is not null, "the contact member's copy");

        Step("directory set up and copied");
        var leaver = await SignInLeaver(leaverEmail, leaverMember);
        var otherPeer = await SignInInvited(peerEmail, "openid offline_access " + Tokens.AllApiScopes);
        actors.Add(Actor.FromToken("peer-worker", "peer worker of the peer workers' association, not A's companion", otherPeer.AccessToken!));
        if (actors[^1] is not { IsProfessional: true, Role: "peer_worker" } peer || peer.Subject == actors.Single(x => x.Name == "companion-of-a").Subject)
        {
            throw new InvalidOperationException($"The second peer worker's token is not a peer worker's other than A's companion: {actors[^1].Role}.");
        }
        // A real access token of a professional, asked for without the openid scope: userinfo is OpenID Connect's.
        var withoutOpenId = (await fixture.Tokens.CodeFlow("social-worker@demo", "demo", "referrals")).AccessToken!;
        Step("leaver and second peer worker signed in");

        // ---- Appointments: the CCAS webhook endpoint (before any booking), a Mairie schedule for partners, a CCAS one for persons ----
        var webhook = await Create("appointments", "webhook-endpoints", coordinator, new JsonObject
        {
            ["url"] = "http://127.0.0.1:9/webhook", ["secret"] = new string('s', 32),
            ["topics"] = new JsonArray("appointment.created", "appointment.updated", "appointment.destroyed"),
        });
        var mairieMotif = "Accès aux droits " + Canary("m");
        var mairieSchedule = await Create("appointments", $"bodies/{Mairie}/opening-schedules", admin,
            Schedule(mairiePlace, mairieMotif, "partner_professionals", today));
        var ccasMotif = "Premier accueil " + Canary("m");
        var ccasSchedule = await Create("appointments", $"bodies/{Ccas}/opening-schedules", coordinator,
            Schedule(ccasPlace, ccasMotif, "person", today));

        Step("webhook and schedules");
        // ---- Persons A and B, with their logins ----
        var a = new { Given = Canary("Canari"), Family = Canary("Famille"), Email = Canary("courriel"), Birth = new DateOnly(1931, 2, 3 + RandomNumberGenerator.GetInt32(20)) };
        var b = new { Given = Canary("Autre"), Family = Canary("Personne"), Birth = new DateOnly(1932, 4, 3 + RandomNumberGenerator.GetInt32(20)) };
        var all = new JsonArray(Oracle.Categories.Select(c => JsonValue.Create(c)).ToArray<JsonNode?>());
        var registeredA = await Post("consents", "persons", socialWorker, new JsonObject
        {
            ["givenName"] = a.Given, ["familyName"] = a.Family, ["birthDate"] = Iso(a.Birth), ["email"] = $"{a.Email}@example.org",
            ["consentCollection"] = "in_person",
            ["grants"] = new JsonArray(
                Grant(Ccas, all, "follow_up_coordination"), Grant(Mairie, all, "follow_up_coordination"),
                Grant(FranceServices, new JsonArray("identity", "companion", "appointments"), "appointment_booking"),
                Grant(shelter, all, "follow_up_coordination")),
        }, HttpStatusCode.Created);
        var registeredB = await Post("consents", "persons", _tokens["caf-agent@demo"], new JsonObject
        {
            ["givenName"] = b.Given, ["familyName"] = b.Family, ["birthDate"] = Iso(b.Birth), ["consentCollection"] = "in_person",
            ["grants"] = new JsonArray(Grant(Caf, all, "follow_up_coordination")),
        }, HttpStatusCode.Created);
        var personA = registeredA["id"]!.GetValue<Guid>();
        var personB = registeredB["id"]!.GetValue<Guid>();
        var consentsA = registeredA["consentIds"]!.AsArray().Select(c => c!.GetValue<Guid>()).ToArray();
        var consentB = registeredB["consentIds"]![0]!.GetValue<Guid>();

        var loginA = "personne-a-" + Canary("");
        var loginB = "personne-b-" + Canary("");
        await Activate(personA, registeredA["activationCode"]!.GetValue<string>(), loginA);
        await Activate(personB, registeredB["activationCode"]!.GetValue<string>(), loginB);
        var tokensA = await fixture.Tokens.CodeFlow(loginA, PersonPassword, "openid offline_access " + Tokens.AllApiScopes);
        var tokenA = tokensA.AccessToken!;
        var tokenB = await fixture.Tokens.User(loginB, PersonPassword);
        Step("A and B registered and signed in");

        // ---- A's companions: the platform peer worker, and a named relative ----
        var peerWorker = actors.Single(x => x.Name == "companion-of-a");
        await Wait("consents", async s => await s.LoadAsync<UserCopy>(peerWorker.Subject!) is not null, "the peer worker's user copy");
        var peerCategories = new[] { "appointments", "contacts" };
        var peerCompanion = await Create("consents", "me/companions", tokenA, new JsonObject
        {
            ["userSubject"] = peerWorker.Subject, ["relationship"] = "peer_worker", ["attendsAppointments"] = true,
            ["categories"] = new JsonArray(peerCategories.Select(c => JsonValue.Create(c)).ToArray<JsonNode?>()),
        });
        var companionToken = Canary("Compagnon");
        var namedCompanion = await Create("consents", "me/companions", tokenA, new JsonObject
        {
            ["displayName"] = "Proche " + companionToken, ["relationship"] = "relative", ["categories"] = new JsonArray(),
        });

        var grantsA = new List<GrantFact>
        {
            new(consentsA[0], Ccas, Oracle.Categories.ToHashSet(), "follow_up_coordination"),
            new(consentsA[1], Mairie, Oracle.Categories.ToHashSet(), "follow_up_coordination"),
            new(consentsA[2], FranceServices, new HashSet<string> { "identity", "companion", "appointments" }, "appointment_booking"),
            new(consentsA[3], shelter, Oracle.Categories.ToHashSet(), "follow_up_coordination"),
        };
        await WaitInEach(["referrals", "appointments"], async s =>
            (await s.LoadManyAsync<GrantCopy>(consentsA.Append(consentB).ToArray())).Count(g => g.Known) == 5
            && (await s.LoadManyAsync<CompanionCopy>(peerCompanion, namedCompanion)).Count(c => c.Known) == 2
            && await s.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personA, Ccas, InvolvementKind.Registered, null)) is not null,
            "A's grants, companions and registration");

        Step("companions, grants copied");
        // ---- Referrals and the contact person, by the CCAS social worker ----
        var due1 = today.AddDays(300);
        var due2 = today.AddDays(301);
        var reason1 = Canary("Motif");
        var reason2 = Canary("Motif");
        var referral1 = await Create("referrals", "referrals", socialWorker, new JsonObject
        {
            ["personId"] = personA, ["toBodyId"] = Mairie, ["need"] = Need, ["targetRight"] = "rsa",
            ["reason"] = "Orientation " + reason1, ["urgency"] = "normal", ["dueBy"] = Iso(due1),
        });
        var referral2 = await Create("referrals", "referrals", socialWorker, new JsonObject
        {
            ["personId"] = personA, ["toBodyId"] = shelter, ["need"] = Need, ["reason"] = "Orientation " + reason2, ["dueBy"] = Iso(due2),
        });
        await Put("referrals", $"persons/{personA}/contact-persons/{Ccas}", socialWorker, new JsonObject { ["memberId"] = contactMember });

        // ---- A's appointment at the Mairie, booked by the France services adviser; the peer worker's accompaniment ----
        await Wait("appointments", async s => await s.LoadAsync<ReferralCopy>(referral1) is { Known: true }, "the first referral's copy");
        var adviser = _tokens["adviser@demo"];
        var slotA = await FirstSlot(adviser, Mairie, mairieMotif);
        var noteToken = Canary("Note");
        var appointmentA = await Create("appointments", "appointments", adviser, new JsonObject
        {
            ["slotId"] = slotA, ["personId"] = personA, ["companionId"] = peerCompanion, ["companionAttends"] = true,
            ["referralId"] = referral1, ["note"] = "Rendez-vous " + noteToken,
        });
        var accompanimentToken = Canary("Accompagnement");
        var accompaniment = await Create("referrals", $"persons/{personA}/accompaniments", _tokens["peer-worker@demo"], new JsonObject
        {
            ["kind"] = "accompanied_to_appointment", ["on"] = Iso(today.AddDays(-1)), ["bodyId"] = Mairie,
            ["note"] = "Accompagnement " + accompanimentToken,
        });

        Step("referrals, contact person, A's appointment, accompaniment");
        // ---- B's own booking at the CCAS ----
        var slotB = await FirstSlot(tokenB, Ccas, ccasMotif);
        var noteB = Canary("NoteB");
        var appointmentB = await Create("appointments", "appointments", tokenB, new JsonObject
        {
            ["slotId"] = slotB, ["personId"] = personB, ["note"] = "Rendez-vous " + noteB,
        });

        // ---- Exports of A's data (GDPR art. 15), where Consents offers them: A's own, and one the CCAS asks for at A's request ----
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        var exports = new Dictionary<string, (Guid Id, string Url, string Token)>();
        if (catalog.Operations.Any(o => o.Key == "POST consents/me/exports") && catalog.Operations.Any(o => o.Key == "GET consents/me/exports/{exportId}"))
        {
            var own = await Post("consents", "me/exports", tokenA, new JsonObject(), HttpStatusCode.Accepted);
            exports["A-sensitive"] = (own["id"]!.GetValue<Guid>(), $"me/exports/{own["id"]}", tokenA);
        }
        if (catalog.Operations.Any(o => o.Key == "POST consents/persons/{id}/exports"))
        {
            var asked = await Post("consents", $"persons/{personA}/exports", socialWorker, new JsonObject(), HttpStatusCode.Accepted);
            exports["A"] = (asked["id"]!.GetValue<Guid>(), $"persons/{personA}/exports/{asked["id"]}", socialWorker);
        }

        // ---- The facts, as the oracle reads them ----
        var factsA = new PersonFacts(personA, grantsA,
        [
            new(Ccas, InvolvementKind.Registered, null),
            new(Ccas, InvolvementKind.ReferralSender, referral1), new(Mairie, InvolvementKind.ReferralReceiver, referral1),
            new(Ccas, InvolvementKind.ReferralSender, referral2), new(shelter, InvolvementKind.ReferralReceiver, referral2),
            new(Ccas, InvolvementKind.ContactPerson, contactMember),
            new(Mairie, InvolvementKind.AppointmentHost, appointmentA), new(FranceServices, InvolvementKind.AppointmentBooker, appointmentA),
        ],
        [new(peerCompanion, peerWorker.Subject, peerCategories.ToHashSet()), new(namedCompanion, null, new HashSet<string>())],
        new HashSet<Guid> { shelter },
        [
            new(referral1, ItemKind.Referral, new HashSet<Guid> { Ccas, Mairie }, Mairie),
            new(referral2, ItemKind.Referral, new HashSet<Guid> { Ccas, shelter }, shelter),
            new(appointmentA, ItemKind.Appointment, new HashSet<Guid> { Mairie, FranceServices }, Mairie),
            new(contactMember, ItemKind.ContactPerson, new HashSet<Guid> { Ccas }, Ccas),
            new(accompaniment, ItemKind.Accompaniment, new HashSet<Guid> { Mairie }, Mairie),
            .. grantsA.Select(g => new ItemFact(g.ConsentId, ItemKind.Consent, new HashSet<Guid> { g.BodyId }, g.BodyId)),
        ]);
        var factsB = new PersonFacts(personB, [new(consentB, Caf, Oracle.Categories.ToHashSet(), "follow_up_coordination")],
            [new(Caf, InvolvementKind.Registered, null), new(Ccas, InvolvementKind.AppointmentHost, appointmentB)],
            [], new HashSet<Guid> { shelter },
            [
                new(appointmentB, ItemKind.Appointment, new HashSet<Guid> { Ccas }, Ccas),
                new(consentB, ItemKind.Consent, new HashSet<Guid> { Caf }, Caf),
            ]);

        var targetA = new Target("A", personA, factsA,
        [
            new(personA.ToString(), Markers.Person, Description: "A's person id"),
            new(a.Given, Oracle.Identity, DisplayName: true, Description: "A's given name"),
            new(a.Family, Oracle.Identity, Description: "A's family name"),
            new(a.Email, Oracle.Identity, Description: "A's e-mail"),
            new($"\"{Iso(a.Birth)}\"", Oracle.Identity, Description: "A's birth date"),
            new($"\"{Iso(due1)}\"", Oracle.Orientation, referral1, StubField: true, Description: "the due date of A's referral to the Mairie"),
            new($"\"{Iso(due2)}\"", Oracle.Orientation, referral2, StubField: true, Description: "the due date of A's referral to the shelter"),
            new(reason1, Oracle.OrientationDetails, referral1, Description: "the reason of A's referral to the Mairie"),
            new(reason2, Oracle.OrientationDetails, referral2, Description: "the reason of A's referral to the shelter"),
            new(contactToken, Oracle.Contacts, contactMember, DirectoryData: true, Description: "A's contact person at the CCAS"),
            new(companionToken, Oracle.Companion, Description: "A's named companion"),
            new(noteToken, Oracle.Appointments, appointmentA, Description: "the note of A's appointment"),
            new(accompanimentToken, Oracle.Accompaniment, accompaniment, Description: "the note of A's accompaniment"),
            new(shelterToken, Markers.Relationship, DirectoryData: true, Description: "the shelter's name (A's tie to a sensitive body)"),
            new(shelter.ToString(), Markers.Relationship, DirectoryData: true, Description: "the shelter's id (A's tie to a sensitive body)"),
            new(consentsA[3].ToString(), Markers.Ledger, consentsA[3], Description: "A's grant to the shelter"),
        ], a.Family, a.Given, Iso(a.Birth));
        var targetB = new Target("B", personB, factsB,
        [
            new(personB.ToString(), Markers.Person, Description: "B's person id"),
            new(b.Given, Oracle.Identity, DisplayName: true, Description: "B's given name"),
            new(b.Family, Oracle.Identity, Description: "B's family name"),
            new($"\"{Iso(b.Birth)}\"", Oracle.Identity, Description: "B's birth date"),
            new(noteB, Oracle.Appointments, appointmentB, Description: "the note of B's appointment"),
        ], b.Family, b.Given, Iso(b.Birth));

        var contexts = new List<Context>
        {
            new("A", targetA, new Dictionary<string, Guid>
            {
                ["persons"] = personA, ["referrals"] = referral1, ["appointments"] = appointmentA, ["consents"] = consentsA[0],
                ["companions"] = namedCompanion, ["accompaniments"] = accompaniment,
                ["bodies"] = Ccas, ["contact-persons"] = Ccas, ["members"] = contactMember, ["places"] = ccasPlace, ["services"] = ccasService,
                ["opening-schedules"] = ccasSchedule, ["webhook-endpoints"] = webhook,
            }),
            new("A-sensitive", targetA, new Dictionary<string, Guid>
            {
                ["persons"] = personA, ["referrals"] = referral2, ["appointments"] = appointmentA, ["consents"] = consentsA[3],
                ["companions"] = peerCompanion, ["accompaniments"] = accompaniment,
                ["bodies"] = Mairie, ["contact-persons"] = Mairie, ["places"] = mairiePlace, ["opening-schedules"] = mairieSchedule,
            }),
            new("B", targetB, new Dictionary<string, Guid>
            {
                ["persons"] = personB, ["appointments"] = appointmentB, ["consents"] = consentB, ["bodies"] = Caf, ["contact-persons"] = Caf,
            }),
        };

        foreach (var (name, export) in exports)
        {
            var context = contexts.Single(c => c.Name == name);
            contexts[contexts.IndexOf(context)] = context with { Ids = new Dictionary<string, Guid>(context.Ids) { ["exports"] = export.Id } };
        }

        Step("B's booking, exports asked for");
        await Settle(targetA, targetB, webhook, appointmentA, exports.Values.Select(e => (e.Url, e.Token)));
        Step("settled: every service holds every fact");

        var everyone = new List<Actor>
        {
            Actor.FromToken("person-a", "person A", tokenA),
            Actor.FromToken("person-b", "person B", tokenB),
        };
        everyone.AddRange(actors);
        everyone.Add(Actor.Anonymous());
        return new Scenario(everyone, targetA, targetB, contexts, shelter, webhook, appointmentA, appointmentB, slotA, leaver,
            tokensA.IdentityToken!, withoutOpenId, PartnerClient, PartnerSecret, _timeline);
    }

    // ---- Actors ----

    private const string PartnerClient = "security-partner-system";
    private const string PartnerSecret = "security-partner-system-secret";

    private static readonly (string Name, string Login, string Description)[] ProfessionalLogins =
    [
        ("companion-of-a", "peer-worker@demo", "the peer worker A chose as companion"),
        ("social-worker-involved", "social-worker@demo", "social worker of the CCAS, which registered A"),
        ("coordinator-involved", "coordinator@demo", "coordinator of the CCAS"),
        ("desk-receiving", "mairie-secretary@demo", "Mairie secretary: the Mairie receives A's referral and hosts A's appointment"),
        ("adviser-booking", "adviser@demo", "France services adviser, who booked A's appointment"),
        ("social-worker-uninvolved", "caf-agent@demo", "social worker of the CAF, never involved with A"),
        ("volunteer", "volunteer@demo", "volunteer of the peer workers' association, a plain professional"),
        ("admin", "admin@demo", "administrator (code flow)"),
    ];

    private async Task<List<Actor>> SignInProfessionals()
    {
        // Each sign-in is a whole code flow with a password hash to check: side by side, they take a few seconds.
        var tokens = await Task.WhenAll(ProfessionalLogins.Select(l => fixture.Tokens.User(l.Login)));
        var actors = new List<Actor>();
        for (var i = 0; i < ProfessionalLogins.Length; i++)
        {
            var (name, login, description) = ProfessionalLogins[i];
            _tokens[login] = tokens[i];
            actors.Add(Actor.FromToken(name, description, tokens[i]));
        }
        _tokens["admin-client"] = await fixture.Tokens.Client();
        actors.Add(Actor.FromToken("admin-client", "the demo-partner client (role admin)", _tokens["admin-client"]));

        // A partner system: a confidential client with the partner_system role, registered in Identity's store.
        await using (var scope = fixture.Identity.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = PartnerClient,
                ClientSecret = PartnerSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Système partenaire de test",
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
                Properties = { ["role"] = JsonSerializer.SerializeToElement("partner_system") },
            };
            foreach (var scopeName in Tokens.AllApiScopes.Split(' ')) descriptor.Permissions.Add(Permissions.Prefixes.Scope + scopeName);
            await applications.CreateAsync(descriptor);
        }
        var partner = await fixture.Tokens.Client(PartnerClient, PartnerSecret);
        actors.Add(Actor.FromToken("partner-system", "a partner system (client credentials, role partner_system)", partner));

        foreach (var actor in actors.Where(x => x.Name != "admin" && x.Name != "admin-client" && x.Name != "partner-system"))
        {
            if (!actor.IsProfessional) throw new InvalidOperationException($"{actor.Name}'s token carries no body and role: {actor.Role}.");
        }
        return actors;
    }

    private async Task<Leaver> SignInLeaver(string email, Guid memberId)
    {
        var tokens = await SignInInvited(email, "openid offline_access referrals");
        return new Leaver(memberId, email, tokens.RefreshToken ?? throw new InvalidOperationException("No refresh token."));
    }

    /// <summary>A member added through Directory: their invitation's set-password form, then the code flow.</summary>
    private async Task<Duende.IdentityModel.Client.TokenResponse> SignInInvited(string email, string scope)
    {
        await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.Invitations.Links.ContainsKey(email)),
            SecurityFixture.Delivery, $"the invitation of {email}");
        // Body and role come from Directory's membership: a token taken before they arrive would carry neither.
        await Wait("identity", async s => await s.Query<Account>().AnyAsync(a => a.Login == email && a.BodyId != null), $"the membership of {email} at Identity");
        const string password = "un long mot de passe";
        using (var browser = fixture.Tokens.Browser())
        {
            var set = await HtmlForms.Submit(browser, fixture.Invitations.Links[email].PathAndQuery.TrimStart('/'),
                new Dictionary<string, string> { ["password"] = password, ["passwordConfirmation"] = password });
            if (set.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Setting the password of {email}: {(int)set.StatusCode}");
        }
        return await fixture.Tokens.CodeFlow(email, password, scope);
    }

    private async Task Activate(Guid personId, string code, string login)
    {
        // A try before the code reached Identity would count against the code's own limit: wait for it first.
        await Wait("identity", async s => await s.LoadAsync<ActivationCode>(personId) is not null, "the activation code at Identity");
        using var browser = fixture.Tokens.Browser();
        var response = await HtmlForms.Submit(browser, "account/activate", new Dictionary<string, string>
        {
            ["code"] = code, ["login"] = login, ["password"] = PersonPassword, ["passwordConfirmation"] = PersonPassword,
        });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Activation of {login}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    // ---- Waiting for the services' copies ----

    private async Task WaitForDemoData()
    {
        var bodies = DemoData.Bodies.Select(b => b.Id).ToArray();
        await WaitInEach(GateServices, async s => (await s.LoadManyAsync<BodyCopy>(bodies)).Count == bodies.Length, "the demo bodies' copies");
        var logins = ProfessionalLogins.Select(l => l.Login).Where(l => l != "admin@demo").ToArray();
        // Body and role come from Directory's memberships: a token taken before they arrive would carry neither.
        await Wait("identity", async s => await s.Query<Account>().CountAsync(x => logins.Contains(x.Login) && x.BodyId != null) == logins.Length,
            "the demo memberships at Identity");
    }

    private async Task Settle(Target a, Target b, Guid webhook, Guid appointmentA, IEnumerable<(string Url, string Token)> exports)
    {
        // An export answers 202 until every service sent its part: the matrix should read the whole document.
        foreach (var (url, token) in exports)
        {
            await CoordinationFixture.AssertEventually(async () =>
                (await fixture.Http.Send(new Request("consents", HttpMethod.Get, url), token)).Status == 200, SecurityFixture.Delivery, "the export of A");
        }
        foreach (var target in new[] { a, b })
        {
            var keys = target.Facts.Involvements.Select(i => InvolvementRecord.KeyOf(target.Facts.PersonId, i.BodyId, i.Kind, i.ItemId)).ToArray();
            await WaitInEach(GateServices, async s => (await s.LoadManyAsync<InvolvementRecord>(keys)).Count == keys.Length,
                $"{target.Name}'s involvements in every service");
        }
        var contact = a.Facts.Items.Single(i => i.Kind == ItemKind.ContactPerson);
        await Wait("consents", async s => await s.LoadAsync<ContactPersonEntry>(ContactPersonEntry.KeyOf(a.PersonId, contact.Target, contact.Id)) is { Active: true },
            "A's contact person in Consents");
        await Wait("referrals", async s => await s.LoadAsync<AppointmentCopy>(appointmentA) is { Known: true }, "A's appointment in Referrals");
        await Wait("appointments", async s => await s.Query<WebhookDelivery>().AnyAsync(d => d.EndpointId == webhook), "a delivery to the CCAS webhook");
    }

    private async Task Wait(string service, Func<IQuerySession, Task<bool>> probe, string because)
    {
        var store = fixture.Host(service).Services.GetRequiredService<IDocumentStore>();
        await CoordinationFixture.AssertEventually(async () =>
        {
            await using var session = store.QuerySession();
            return await probe(session);
        }, SecurityFixture.Delivery, because + " (" + service + ")");
    }

    private async Task WaitInEach(IEnumerable<string> services, Func<IQuerySession, Task<bool>> probe, string because)
    {
        foreach (var service in services) await Wait(service, probe, because);
    }

    // ---- Requests ----

    private static JsonObject Place(string name) => new()
    {
        ["name"] = name,
        ["address"] = new JsonObject { ["line"] = "Place de l'Hôtel de ville", ["postalCode"] = "11100", ["communeInsee"] = "11262", ["commune"] = "Narbonne" },
    };

    private static JsonObject Grant(Guid body, JsonArray categories, string purpose) => new()
    {
        ["bodyId"] = body, ["categories"] = categories.DeepClone(), ["purpose"] = purpose,
    };

    private static JsonObject Schedule(Guid place, string motif, string bookableBy, DateOnly today) => new()
    {
        ["placeId"] = place, ["motif"] = motif, ["mode"] = "in_person", ["durationMinutes"] = 60, ["capacity"] = 2,
        ["bookableBy"] = new JsonArray(bookableBy), ["minimumDelayMinutes"] = 0, ["maximumDelayDays"] = 60,
        ["recurrence"] = new JsonObject
        {
            ["days"] = new JsonArray(EveryDay.Select(d => JsonValue.Create(d)).ToArray<JsonNode?>()), ["startTime"] = "09:00", ["endTime"] = "12:00",
            ["from"] = Iso(today.AddDays(2)), ["to"] = Iso(today.AddDays(4)),
        },
    };

    private async Task<Guid> FirstSlot(string token, Guid body, string motif)
    {
        var answer = await fixture.Http.Send(new Request("appointments", HttpMethod.Get,
            $"slots?bodyId={body}&motif={Uri.EscapeDataString(motif)}&pageSize=100"), token);
        var items = Expect(answer, HttpStatusCode.OK, "slots")["items"]!.AsArray();
        if (items.Count == 0) throw new InvalidOperationException($"No slot for {motif}.");
        return items[0]!["id"]!.GetValue<Guid>();
    }

    private async Task<Guid> Create(string service, string path, string token, JsonObject body) =>
        (await Post(service, path, token, body, HttpStatusCode.Created))["id"]!.GetValue<Guid>();

    private async Task<JsonNode> Post(string service, string path, string token, JsonObject body, HttpStatusCode expected) =>
        Expect(await fixture.Http.Send(Request.Json(service, HttpMethod.Post, path, body), token), expected, $"POST {service}/{path}");

    private async Task Put(string service, string path, string token, JsonObject body) =>
        Expect(await fixture.Http.Send(Request.Json(service, HttpMethod.Put, path, body), token), HttpStatusCode.OK, $"PUT {service}/{path}");

    private static JsonNode Expect(Answer answer, HttpStatusCode status, string what)
    {
        if (answer.Status != (int)status) throw new InvalidOperationException($"{what}: expected {(int)status}, got {answer}");
        return answer.Json() ?? new JsonObject();
    }
}
