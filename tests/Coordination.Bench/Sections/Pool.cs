using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coordination.Bench.Infrastructure;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Npgsql;

namespace Coordination.Bench.Sections;

/// <summary>A person registered through Consents for the run, with the ids of the consents given.</summary>
public sealed record PoolPerson(Guid Id, Guid CcasConsent, Guid CafConsent, string ActivationCode);

/// <summary>
/// Persons registered through Consents' real API by the CCAS social worker, each consenting to the CCAS (every
/// category) and to the CAF (orientation among others) for the follow-up: the receiving body of the benchmark's
/// referrals holds the grant they require. Waits until Referrals holds those facts (grants and registration).
/// </summary>
public static class Pool
{
    public const string Registrar = "social-worker@demo";
    public static readonly string[] CafCategories = [Categories.Identity, Categories.Orientation, Categories.OrientationDetails, Categories.Contacts];

    /// <param name="bookingBody">A body the persons also let book appointments for them (appointment_booking).</param>
    public static async Task<IReadOnlyList<PoolPerson>> Register(Clients clients, int count, string tag, Guid? bookingBody = null)
    {
        using var http = clients.For(clients.Settings.Consents);
        var random = new Random();
        var persons = new PoolPerson?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var birth = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 365 * 50));
            var body = new
            {
                givenName = "Banc",
                familyName = $"Essai {tag} {i}",
                birthDate = birth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                consentCollection = "in_person",
                grants = new object[]
                {
                    new { bodyId = DemoData.CcasNarbonne, categories = Categories.All, purpose = Purposes.FollowUpCoordination },
                    new { bodyId = DemoData.CafAude, categories = CafCategories, purpose = Purposes.FollowUpCoordination },
                }.Concat(bookingBody is { } booking
                    ? [new { bodyId = booking, categories = (IReadOnlyList<string>)[Categories.Identity, Categories.Appointments], purpose = Purposes.AppointmentBooking }]
                    : Array.Empty<object>()).ToArray(),
            };
            using var request = await clients.Request(HttpMethod.Post, "persons", Registrar, body);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"POST /persons: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            var json = (await response.Content.ReadFromJsonAsync<JsonNode>(ct))!;
            var consents = json["consentIds"]!.AsArray().Select(c => c!.GetValue<Guid>()).ToArray();
            persons[i] = new PoolPerson(json["id"]!.GetValue<Guid>(), consents[0], consents[1], json["activationCode"]?.GetValue<string>() ?? "");
        });
        var pool = persons.Select(p => p!).ToList();
        await WaitUntilReferralsKnows(clients.Settings, pool);
        return pool;
    }

    /// <summary>Polls Referrals' copies (reading only) until every grant and registration of the pool has arrived there.</summary>
    public static async Task WaitUntilReferralsKnows(BenchSettings settings, IReadOnlyList<PoolPerson> pool)
    {
        var grantIds = pool.SelectMany(p => new[] { p.CcasConsent, p.CafConsent }).ToArray();
        var registrations = pool.Select(p => InvolvementRecord.KeyOf(p.Id, DemoData.CcasNarbonne, InvolvementKind.Registered, null)).ToArray();
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "select (select count(*) from referrals.mt_doc_grantcopy where id = any($1) and (data->>'known')::boolean), " +
                "(select count(*) from referrals.mt_doc_involvementrecord where id = any($2))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = grantIds });
            command.Parameters.Add(new NpgsqlParameter { Value = registrations });
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (grants, involved) = (reader.GetInt64(0), reader.GetInt64(1));
            if (grants == grantIds.Length && involved == registrations.Length) return;
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
                throw new InvalidOperationException($"Referrals has {grants}/{grantIds.Length} grants and {involved}/{registrations.Length} registrations after 5 min");
            await Task.Delay(200);
        }
    }
}
