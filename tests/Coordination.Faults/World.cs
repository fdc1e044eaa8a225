using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;

namespace Coordination.Faults;

/// <summary>
/// What the load needs, created through the services' own APIs on top of the demo seed: persons registered by the
/// CCAS with their grants (to the CAF for follow-up coordination, to France services for booking), a CAF place
/// (Directory) and two schedules at it (Appointments): a large one for the load and one of single seats for the
/// race of scenario 6.
/// </summary>
public sealed class World
{
    public const string SocialWorker = "social-worker@demo";
    public const string Adviser = "adviser@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string Admin = "demo-partner";

    public List<Guid> Persons { get; } = [];
    public List<Guid> Slots { get; } = [];
    public List<Guid> SingleSeats { get; } = [];
    public Guid PoisonPerson { get; private set; }
    public Guid PlaceId { get; private set; }

    private static Uri Url(string service, string path) => new(FaultSettings.Service(service).BaseAddress, path);

    public static async Task<World> CreateAsync(Client client, Checker checker, int persons)
    {
        var world = new World();
        var runId = RandomLetters(6);
        foreach (var login in new[] { Admin, SocialWorker, Adviser, CafAgent }) await client.TokenAsync(login);
        Console.WriteLine("  waiting for the demo bodies to reach every service's copies");
        await checker.EventuallyAsync(async () => await checker.DemoBodiesCopiedAsync(), TimeSpan.FromSeconds(90), "the demo bodies copied");

        // Directory: a place of the CAF, copied by Appointments.
        var place = await Expect(client, Client.Json(HttpMethod.Post, Url("Directory", $"bodies/{DemoData.CafAude}/places"), new
        {
            name = "Accueil CAF faults " + runId,
            address = new { line = "2 rue de la Paix", postalCode = "11100", commune = "Narbonne", communeInsee = "11262" },
        }, Guid.NewGuid().ToString()), Admin);
        world.PlaceId = place["id"]!.GetValue<Guid>();
        await checker.EventuallyAsync(() => checker.ExistsAsync("appointments.mt_doc_placecopy", world.PlaceId), TimeSpan.FromSeconds(60), "the place copy");

        // Appointments: a schedule for the load (100 seats per slot) and one of single seats.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var motif = "RSA faults " + runId;
        await OpenSchedule(client, world.PlaceId, motif, today.AddDays(1), today.AddDays(58), 100);
        var seats = "Seat faults " + runId;
        await OpenSchedule(client, world.PlaceId, seats, today.AddDays(1), today.AddDays(20), 1);
        world.Slots.AddRange(await SlotIds(client, motif, today.AddDays(1), 60));
        world.SingleSeats.AddRange(await SlotIds(client, seats, today.AddDays(1), 25));
        Console.WriteLine($"  {world.Slots.Count} slots of 100 seats, {world.SingleSeats.Count} single-seat slots");

        // Consents: the persons and their grants, through the API, as a social worker of the CCAS.
        for (var i = 0; i <= persons; i++)
        {
            var created = await Expect(client, Client.Json(HttpMethod.Post, Url("Consents", "persons"), new
            {
                givenName = "Faults",
                familyName = $"Personne {runId} {Letters(i)}",
                birthDate = new DateOnly(1960, 1, 1).AddDays(i * 37 + Random.Shared.Next(0, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                consentCollection = "in_person",
                grants = new object[]
                {
                    new { bodyId = DemoData.CafAude, categories = new[] { "identity", "orientation", "orientation_details", "contacts", "companion", "appointments", "accompaniment" }, purpose = "follow_up_coordination" },
                    new { bodyId = DemoData.FranceServicesNarbonne, categories = new[] { "identity", "companion", "appointments" }, purpose = "appointment_booking" },
                },
            }, Guid.NewGuid().ToString()), SocialWorker);
            var id = created["id"]!.GetValue<Guid>();
            if (i == persons) world.PoisonPerson = id;
            else world.Persons.Add(id);
        }
        Console.WriteLine($"  {persons} persons (+1 for the poison message) registered with their grants; waiting for the copies");
        await checker.EventuallyAsync(() => checker.PersonsCopiedAsync([.. world.Persons, world.PoisonPerson]), TimeSpan.FromSeconds(90),
            "the persons' grants and registration copied to Referrals and Appointments");
        return world;
    }

    private static async Task OpenSchedule(Client client, Guid placeId, string motif, DateOnly from, DateOnly to, int capacity) =>
        await Expect(client, Client.Json(HttpMethod.Post, Url("Appointments", $"bodies/{DemoData.CafAude}/opening-schedules"), new
        {
            placeId,
            motif,
            mode = "in_person",
            durationMinutes = 60,
            capacity,
            bookableBy = new[] { "partner_professionals" },
            minimumDelayMinutes = 0,
            maximumDelayDays = 90,
            recurrence = new
            {
                days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" },
                startTime = "08:00",
                endTime = "18:00",
                from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
        }, Guid.NewGuid().ToString()), Admin);

    private static async Task<List<Guid>> SlotIds(Client client, string motif, DateOnly from, int days)
    {
        var ids = new List<Guid>();
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var end = from.AddDays(days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        for (var page = 1; ; page++)
        {
            var query = $"slots?motif={Uri.EscapeDataString(motif)}&from={start}&to={end}&page={page}&pageSize=100";
            var result = await Expect(client, Client.Json(HttpMethod.Get, Url("Appointments", query), null), Adviser, HttpStatusCode.OK);
            var items = result["items"]!.AsArray();
            ids.AddRange(items.Select(s => s!["id"]!.GetValue<Guid>()));
            if (items.Count < 100) return ids;
        }
    }

    private static async Task<JsonNode> Expect(Client client, HttpRequestMessage request, string login, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using (request)
        {
            var (status, body, response) = await client.SendAsync(request, login);
            response.Dispose();
            if (status != expected) throw new InvalidOperationException($"Setup: {request.Method} {request.RequestUri} answered {(int)status}: {body}");
            return JsonNode.Parse(body)!;
        }
    }

    private static string RandomLetters(int n) => new([.. Enumerable.Range(0, n).Select(_ => (char)('a' + Random.Shared.Next(26)))]);

    /// <summary>0 → "a", 25 → "z", 26 → "ba": names must differ (duplicate detection) and carry letters.</summary>
    private static string Letters(int i)
    {
        var s = "";
        do
        {
            s = (char)('a' + (i % 26)) + s;
            i /= 26;
        } while (i > 0);
        return s;
    }
}
