using System.Net;
using Appointments.Api.Slots;
using Coordination.Bench.Infrastructure;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Npgsql;
using static Coordination.Bench.Sections.BenchIds;

namespace Coordination.Bench.Sections;

/// <summary>The booking load's outcome: both sides' answers, by kind, and the seats taken beyond a slot's capacity (must be 0).</summary>
public sealed record BookingResult(int Slots, StepResult Http, StepResult Raw, int Booked, int Refused, int RawBooked, int RawRefused, long Overbooked);

/// <summary>
/// Issue 6: booking throughput and its 409 rate under contention. The France services adviser books, for persons
/// who let France services book for them, one-seat slots of the CAF drawn at random among few (so that most
/// requests meet a slot just taken or being taken), at a fixed rate. Beside it, at the same rate and with the same
/// contention, the raw PostgreSQL form of the same exclusion (in a schema of the benchmark's own): take the seat by a
/// conditional update of the slot's row and record it, or refuse. Both a 201 and a 409 are right answers; the
/// section then counts every slot's seats on its stream (a seat beyond the capacity would be a double booking).
/// </summary>
public static class BookingContention
{
    public const double Rate = 50;
    private const int SlotsPerRun = 150;
    private const int Persons = 100;
    private const string Booker = "adviser@demo";

    public static async Task<BookingResult> Run(BenchSettings settings, Clients clients, ServiceStores stores)
    {
        var run = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var pool = await Pool.Register(clients, Persons, "réservation " + run, DemoData.FranceServicesNarbonne);
        await WaitUntilAppointmentsKnows(settings, pool);
        var slots = await Seed(settings, stores.Appointments(), run);
        await PrepareRaw(settings, slots);

        using var http = clients.For(settings.Appointments);
        await clients.Tokens.User(Booker);
        int booked = 0, refused = 0, rawBooked = 0, rawRefused = 0;

        async Task<bool> OverHttp(int _, CancellationToken ct)
        {
            var body = new { slotId = slots[Random.Shared.Next(slots.Count)], personId = pool[Random.Shared.Next(pool.Count)].Id };
            using var request = await clients.Request(HttpMethod.Post, "appointments", Booker, body);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Created: Interlocked.Increment(ref booked); return true;
                case HttpStatusCode.Conflict: Interlocked.Increment(ref refused); return true;
                default: return OpenLoop.Fail($"HTTP {(int)response.StatusCode}");
            }
        }

        await using var data = NpgsqlDataSource.Create(settings.RawReads);
        async Task<bool> Raw(int _, CancellationToken ct)
        {
            var slot = slots[Random.Shared.Next(slots.Count)];
            await using var connection = await data.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var take = new NpgsqlCommand("update bench.slot set free = free - 1 where id = $1 and free > 0", connection, transaction);
            take.Parameters.Add(new NpgsqlParameter { Value = slot });
            if (await take.ExecuteNonQueryAsync(ct) == 0)
            {
                await transaction.RollbackAsync(ct);
                Interlocked.Increment(ref rawRefused);
                return true;
            }
            await using var seat = new NpgsqlCommand("insert into bench.seat (slot_id, appointment_id, person_id) values ($1, $2, $3)", connection, transaction);
            seat.Parameters.Add(new NpgsqlParameter { Value = slot });
            seat.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            seat.Parameters.Add(new NpgsqlParameter { Value = pool[Random.Shared.Next(pool.Count)].Id });
            await seat.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            Interlocked.Increment(ref rawBooked);
            return true;
        }

        var both = await OpenLoop.Beside(Rate, settings.Step, 64, OverHttp, Raw, warmAtRate: false);
        var result = new BookingResult(slots.Count, both.Http, both.Raw, booked, refused, rawBooked, rawRefused, await Overbooked(settings, slots));
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("drop schema if exists bench cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        return result;
    }

    /// <summary>Waits until Appointments holds the persons' booking grants (they come from Consents through the broker).</summary>
    private static async Task WaitUntilAppointmentsKnows(BenchSettings settings, IReadOnlyList<PoolPerson> pool)
    {
        var ids = pool.Select(p => p.Id).ToArray();
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "select count(distinct data->>'personId') from appointments.mt_doc_grantcopy " +
                "where (data->>'personId')::uuid = any($1) and data->>'purpose' = 'appointment_booking'", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ids });
            if ((long)(await command.ExecuteScalarAsync())! == ids.Length) return;
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new InvalidOperationException("Appointments did not receive the booking grants within 3 minutes.");
            await Task.Delay(200);
        }
    }

    /// <summary>One-seat slots of the CAF, open to partner professionals, in the coming days; fresh ids every run.</summary>
    private static async Task<IReadOnlyList<Guid>> Seed(BenchSettings settings, IDocumentStore store, long run)
    {
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            await using var clean = new NpgsqlCommand($"delete from appointments.mt_doc_slot where id::text like '{Prefix}{(short)Kind.ContestedSlot:x4}-%'", connection);
            await clean.ExecuteNonQueryAsync();
        }
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcDateTime.Date.AddDays(2).AddHours(8), TimeSpan.Zero);
        var slots = Enumerable.Range(0, SlotsPerRun).Select(i =>
        {
            var starts = start.AddMinutes(30 * i);
            return new SlotEntry(Of(Kind.ContestedSlot, run * 1_000 + i), Of(Kind.Schedule, run), DemoData.CafAude, "CAF de l'Aude", Of(Kind.Place, run),
                "Accueil", "Carcassonne", "11069", "11000", "prime d'activité", global::Appointments.Api.Mode.InPerson, starts, starts.AddMinutes(30), 1, 1,
                true, true, false, now.AddDays(-1), starts, false);
        }).ToList();
        await store.BulkInsertAsync(slots);
        return slots.Select(s => s.Id).ToList();
    }

    private static async Task PrepareRaw(BenchSettings settings, IReadOnlyList<Guid> slots)
    {
        // The same PostgreSQL and database as the service, in a schema of the benchmark's own.
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "drop schema if exists bench cascade; create schema bench; " +
            "create table bench.slot (id uuid primary key, free int not null); " +
            "create table bench.seat (slot_id uuid not null references bench.slot, appointment_id uuid primary key, person_id uuid not null)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var fill = new NpgsqlCommand("insert into bench.slot (id, free) select unnest($1), 1", connection);
        fill.Parameters.Add(new NpgsqlParameter { Value = slots.ToArray() });
        await fill.ExecuteNonQueryAsync();
    }

    /// <summary>Seats taken beyond each slot's capacity of one, counted on the slots' own streams.</summary>
    private static async Task<long> Overbooked(BenchSettings settings, IReadOnlyList<Guid> slots)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select coalesce(sum(greatest(held - 1, 0)), 0) from (select stream_id, " +
            "sum(case type when 'seat_taken' then 1 when 'seat_released' then -1 else 0 end) as held " +
            "from appointments.mt_events where stream_id = any($1) group by stream_id) seats", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = slots.ToArray() });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
