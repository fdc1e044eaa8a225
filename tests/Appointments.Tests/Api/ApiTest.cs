using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appointments.Api.Copies;
using Consents.Contracts;
using Coordination.Secrecy.Gate.Audit;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Directory.Contracts;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Appointments.Tests.Api;

/// <summary>
/// Helpers for API tests: clients per caller, raw JSON requests with If-Match and Idempotency-Key, Problem Details
/// assertions, and the arrangement of copies by publishing the other services' contracts on the bus.
/// </summary>
public abstract class ApiTest(AppointmentsFixture fixture)
{
    public const string Adviser = "adviser@demo";
    public const string MairieSecretary = "mairie-secretary@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string Coordinator = "coordinator@demo";
    public const string SocialWorker = "social-worker@demo";
    public const string PeerWorker = "peer-worker@demo";
    public const string PersonLogin = "person@demo";

    protected static readonly Guid Ccas = DemoData.CcasNarbonne;
    protected static readonly Guid Caf = DemoData.CafAude;
    protected static readonly Guid FranceServices = DemoData.FranceServicesNarbonne;
    protected static readonly Guid Mairie = DemoData.MairieNarbonne;
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected AppointmentsFixture Fixture { get; } = fixture;

    protected IDocumentStore Store => Fixture.Appointments.Services.GetRequiredService<IDocumentStore>();

    protected Task<HttpClient> As(string login) => Fixture.UserClient(Fixture.Appointments, login);

    protected Task<HttpClient> Admin() => Fixture.AdminClient(Fixture.Appointments);

    protected static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null) => ApiCalls.Send(client, method, url, body, ifMatch, idempotencyKey);

    protected static Task<HttpResponseMessage> Post(HttpClient client, string url, object? body = null, string? ifMatch = null) =>
        Send(client, HttpMethod.Post, url, body ?? new { }, ifMatch);

    protected static Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected) => ApiCalls.Json(response, expected);

    protected static async Task<JsonNode> Get(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK) =>
        await Json(await client.GetAsync(new Uri(url, UriKind.Relative)), expected);

    protected static Task AssertInvalid(HttpResponseMessage response, string field) => ApiCalls.AssertInvalid(response, field);

    protected static Task<JsonNode> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? code = null) =>
        ApiCalls.AssertProblem(response, status, code);

    protected static string ETag(HttpResponseMessage response) => ApiCalls.ETag(response);

    protected static string Unique(string prefix) => ApiCalls.Unique(prefix);

    /// <summary>A Paris calendar day counted from today.</summary>
    protected static DateOnly Day(int fromToday) => Appointments.Api.Paris.DateOf(DateTimeOffset.UtcNow).AddDays(fromToday);

    protected static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    protected static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));

    protected static string[] EveryDay => ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>The subject (sub) of a demo login, as its tokens carry it.</summary>
    protected async Task<string> SubjectOf(string login)
    {
        var payload = (await Fixture.Tokens.User(login)).Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonNode.Parse(Convert.FromBase64String(payload))!["sub"]!.GetValue<string>();
    }

    // ---- Copies: the other services' contracts, published as they would publish them ----

    protected async Task Publish<T>(T message) where T : class
    {
        var bus = Fixture.Appointments.Services.GetRequiredService<IBus>();
        await bus.Publish(message, c => c.MessageId = NewId.NextGuid());
    }

    protected async Task Eventually(Func<IQuerySession, Task<bool>> probe, string because)
    {
        await CoordinationFixture.AssertEventually(async () =>
        {
            await using var session = Store.QuerySession();
            return await probe(session);
        }, Patience, because);
    }

    protected async Task<Guid> NewPerson(string displayName = "Camille Durand")
    {
        var personId = Guid.CreateVersion7();
        await Publish(new PersonRegistered(personId, displayName, Ccas, "test", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PersonCopy>(personId) is not null, "the person copy");
        return personId;
    }

    protected async Task EnsureDemoPerson()
    {
        await Publish(new PersonRegistered(DemoData.Person, "Personne de démonstration", Ccas, "test", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PersonCopy>(DemoData.Person) is not null, "the demo person copy");
    }

    protected async Task<Guid> Grant(Guid personId, Guid bodyId, string purpose = "appointment_booking", string[]? categories = null)
    {
        var consentId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await Publish(new ConsentGranted(consentId, personId, bodyId, categories ?? ["identity", "companion", "appointments"], purpose,
            now.AddMinutes(-1), now.AddDays(90), now));
        await Eventually(async s => await s.LoadAsync<GrantCopy>(consentId) is { Known: true }, "the grant copy");
        return consentId;
    }

    protected async Task Revoke(Guid consentId, Guid personId, Guid bodyId)
    {
        await Publish(new ConsentRevoked(consentId, personId, bodyId, "person", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<GrantCopy>(consentId) is { RevokedAt: not null }, "the revocation");
    }

    protected async Task<Guid> Companion(Guid personId, string displayName = "Malik Haddad", string? subject = null, bool attends = true,
        string[]? categories = null)
    {
        var companionId = Guid.CreateVersion7();
        await Publish(new CompanionChosen(companionId, personId, subject, displayName, "friend", attends, false,
            categories ?? ["appointments"], null, DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<CompanionCopy>(companionId) is { Known: true }, "the companion copy");
        return companionId;
    }

    protected async Task<Guid> Place(Guid bodyId, Permanence? permanence = null, string line = "12 rue Jean Jaurès")
    {
        var placeId = Guid.CreateVersion7();
        await Publish(new PlaceAdded(placeId, bodyId, Unique("Accueil"), line, "11100", "Narbonne", "11262", permanence, DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PlaceCopy>(placeId) is not null, "the place copy");
        return placeId;
    }

    protected async Task<Guid> SensitiveBody()
    {
        var bodyId = Guid.CreateVersion7();
        await Publish(new BodyRegistered(bodyId, Unique("Centre d'hébergement"), "association", "11262", ["11262"], true, DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<BodyCopy>(bodyId) is not null, "the body copy");
        return bodyId;
    }

    /// <summary>The copy of a demo body, published by Directory's seed (the fixture back-fills every outbox once all queues exist).</summary>
    protected Task WaitForBody(Guid bodyId) =>
        Eventually(async s => await s.LoadAsync<BodyCopy>(bodyId) is not null, "the demo body copy");

    // ---- Schedules, slots and bookings through the API ----

    protected static object ScheduleRequest(Guid placeId, string motif, DateOnly from, DateOnly to, string start = "09:00", string end = "12:00",
        int duration = 60, int capacity = 1, string[]? bookableBy = null, int minimumDelayMinutes = 0, int maximumDelayDays = 60,
        string[]? days = null, string mode = "in_person") => new
        {
            placeId,
            motif,
            mode,
            durationMinutes = duration,
            capacity,
            bookableBy = bookableBy ?? ["body_members", "partner_professionals", "person"],
            minimumDelayMinutes,
            maximumDelayDays,
            recurrence = new { days = days ?? EveryDay, startTime = start, endTime = end, from = Iso(from), to = Iso(to) },
        };

    /// <summary>A schedule of the body (opened by the admin) at a new place; its id and its unique motif.</summary>
    protected async Task<(Guid ScheduleId, string Motif, Guid PlaceId)> NewSchedule(Guid bodyId, int capacity = 1, string[]? bookableBy = null,
        Guid? placeId = null, int fromDay = 2, int toDay = 4, string mode = "in_person")
    {
        await WaitForBody(bodyId);
        var place = placeId ?? await Place(bodyId);
        var motif = Unique("RSA");
        using var admin = await Admin();
        var created = await Json(await Post(admin, $"bodies/{bodyId}/opening-schedules",
            ScheduleRequest(place, motif, Day(fromDay), Day(toDay), capacity: capacity, bookableBy: bookableBy, mode: mode)), HttpStatusCode.Created);
        return (created["id"]!.GetValue<Guid>(), motif, place);
    }

    protected async Task<JsonArray> Slots(HttpClient client, string query)
    {
        var page = await Get(client, "slots?" + query + "&pageSize=100");
        return page["items"]!.AsArray();
    }

    protected async Task<Guid> FirstSlot(string motif, string login = Adviser)
    {
        using var client = await As(login);
        var slots = await Slots(client, "motif=" + Uri.EscapeDataString(motif));
        Assert.NotEmpty(slots);
        return slots[0]!["id"]!.GetValue<Guid>();
    }

    protected static async Task<(Guid Id, string ETag)> Book(HttpClient client, Guid slotId, Guid personId, Guid? companionId = null,
        bool companionAttends = false, Guid? referralId = null, string? note = null)
    {
        var response = await Post(client, "appointments", new { slotId, personId, companionId, companionAttends, referralId, note });
        var created = await Json(response, HttpStatusCode.Created);
        return (created["id"]!.GetValue<Guid>(), ETag(response));
    }

    /// <summary>A person with a booking grant to France services, booked by the adviser into a new CAF schedule.</summary>
    protected async Task<Booked> NewBooking(Guid? host = null, Guid? companionId = null, bool companionAttends = false, string? note = null,
        Guid? personId = null)
    {
        var person = personId ?? await NewPerson();
        await Grant(person, FranceServices);
        var (scheduleId, motif, placeId) = await NewSchedule(host ?? Caf);
        var slot = await FirstSlot(motif);
        using var adviser = await As(Adviser);
        var (id, etag) = await Book(adviser, slot, person, companionId, companionAttends, note: note);
        return new Booked(id, etag, person, slot, scheduleId, motif, placeId);
    }

    protected sealed record Booked(Guid Id, string ETag, Guid PersonId, Guid SlotId, Guid ScheduleId, string Motif, Guid PlaceId);

    protected async Task<PersonDataRead> LastRead(Guid personId)
    {
        var reads = await Reads(personId);
        return reads[^1];
    }

    /// <summary>The access-log events this service appended for the person, oldest first.</summary>
    protected async Task<IReadOnlyList<PersonDataRead>> Reads(Guid personId)
    {
        await using var session = Store.QuerySession();
        var reads = await session.Events.QueryRawEventDataOnly<PersonDataRead>().Where(r => r.PersonId == personId).ToListAsync();
        // Access ids are version 7: their order is the order of the reads (tests never read twice in the same millisecond).
        return reads.OrderBy(r => r.AccessId.ToString("N")[..12], StringComparer.Ordinal).ToList();
    }
}
