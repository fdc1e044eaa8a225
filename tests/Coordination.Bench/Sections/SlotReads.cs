using System.Globalization;
using System.Net;
using Appointments.Api.Slots;
using Coordination.Bench.Infrastructure;
using Coordination.ServiceDefaults.Demo;
using Coordination.ServiceDefaults.Http;
using Marten;
using Npgsql;
using static Coordination.Bench.Sections.BenchIds;

namespace Coordination.Bench.Sections;

/// <summary>
/// Issue 6: GET /slots for one commune over four weeks, with 500 bodies' schedules (20 bodies in each of 25
/// communes, weekdays 9:00–12:00 and 14:00–17:00 in 30-minute slots: 120 000 slots) seeded into Appointments'
/// slot index directly, beside the raw PostgreSQL run of the same SQL; communes drawn at random. The reader is
/// the France services adviser (other bodies' partner slots).
/// </summary>
public static class SlotReads
{
    public const int Bodies = 500;
    private const int Communes = 25;
    public const double Rate = 100;
    private const string Reader = "adviser@demo";

    public static async Task<(StepResult Http, StepResult Raw, int Slots)> Run(BenchSettings settings, Clients clients, ServiceStores stores)
    {
        var store = stores.Appointments();
        var slots = await Seed(settings, store);
        var communes = Enumerable.Range(0, Communes).Select(Commune).ToArray();
        var from = DateTimeOffset.UtcNow.Date.AddDays(1);
        var to = from.AddDays(28);
        var fromText = from.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var toText = to.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        // The endpoint's query for a professional of France services, as Marten generates it, per commune.
        var now = DateTimeOffset.UtcNow;
        var own = DemoData.FranceServicesNarbonne;
        // The endpoint's two statements: the count, then the page.
        var commands = new Dictionary<string, NpgsqlCommand[]>(StringComparer.Ordinal);
        using (var session = store.QuerySession())
        {
            foreach (var insee in communes)
            {
                var query = session.Query<SlotEntry>().Where(s => !s.Closed && s.Free > 0 && s.BookableFrom <= now && s.BookableUntil >= now
                        && s.StartsAt >= new DateTimeOffset(from, TimeSpan.Zero) && s.StartsAt < new DateTimeOffset(to, TimeSpan.Zero))
                    .Where(s => (s.BodyId == own && s.ByMembers) || (s.BodyId != own && s.ByPartners))
                    .Where(s => s.CommuneInsee == insee);
                commands[insee] = [query.ToCommand(Marten.Linq.FetchType.Count),
                    query.OrderBy(s => s.StartsAt).ThenBy(s => s.Id).Skip(0).Take(Paging.DefaultSize).ToCommand()];
            }
        }

        using var http = clients.For(settings.Appointments);
        await using var data = NpgsqlDataSource.Create(settings.RawReads);
        await clients.Tokens.User(Reader);

        async Task<bool> OverHttp(int _, CancellationToken ct)
        {
            var insee = communes[Random.Shared.Next(communes.Length)];
            using var request = await clients.Request(HttpMethod.Get, $"slots?commune={insee}&from={fromText}&to={toText}", Reader);
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return OpenLoop.Expect(response, HttpStatusCode.OK);
        }

        async Task<bool> Raw(int _, CancellationToken ct)
        {
            var command = commands[communes[Random.Shared.Next(communes.Length)]];
            await using var connection = await data.OpenConnectionAsync(ct);
            await using var batch = Sql.Batch(connection, command, Guid.Empty, Guid.Empty);
            return await Sql.ReadAll(batch, ct) > 0;
        }

        var both = await OpenLoop.Beside(Rate, settings.Step, 64, OverHttp, Raw);
        return (both.Http, both.Raw, slots);
    }

    private static string Commune(int c) => "34" + (100 + c).ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Slots are relative to today: the previous run's are replaced.</summary>
    private static async Task<int> Seed(BenchSettings settings, IDocumentStore store)
    {
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            await using var clean = new NpgsqlCommand("delete from appointments.mt_doc_slot where id::text like $1", connection);
            clean.Parameters.Add(new NpgsqlParameter { Value = Prefix + "000c-%" });
            await clean.ExecuteNonQueryAsync();
        }
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var now = DateTimeOffset.UtcNow;
        var slots = new List<SlotEntry>();
        long n = 0;
        var total = 0;
        for (var b = 0; b < Bodies; b++)
        {
            var insee = Commune(b % Communes);
            var body = Of(Kind.Body, b);
            for (var d = 1; d <= 28; d++)
            {
                var day = today.AddDays(d);
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                foreach (var hour in new[] { 9, 9.5, 10, 10.5, 11, 11.5, 14, 14.5, 15, 15.5, 16, 16.5 })
                {
                    var local = day.ToDateTime(new TimeOnly(0, 0)).AddHours(hour);
                    // Npgsql writes timestamptz only from UTC offsets (the service stores UTC instants too).
                    var starts = new DateTimeOffset(local, paris.GetUtcOffset(local)).ToUniversalTime();
                    slots.Add(new SlotEntry(Of(Kind.Slot, n++), Of(Kind.Schedule, b), body, $"Structure {b} (banc)", Of(Kind.Place, b), "Accueil",
                        "Commune " + insee, insee, insee, "accès aux droits", global::Appointments.Api.Mode.InPerson, starts, starts.AddMinutes(30),
                        1, 1, true, true, true, now.AddDays(-1), starts, false));
                }
            }
            if (slots.Count >= 20_000)
            {
                await store.BulkInsertAsync(slots);
                total += slots.Count;
                slots.Clear();
            }
        }
        await store.BulkInsertAsync(slots);
        total += slots.Count;
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            // A schedule's slots are written once, when it opens; autovacuum then marks their pages all-visible, which
            // the count's index-only scan relies on. Freshly bulk-inserted (and after the previous run's delete), the
            // pages are not marked yet and every slot counted is a heap visit: vacuum brings the table to that steady state.
            await using var analyze = new NpgsqlCommand("vacuum (analyze) appointments.mt_doc_slot", connection);
            await analyze.ExecuteNonQueryAsync();
        }
        return total;
    }
}
