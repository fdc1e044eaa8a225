using System.Net;
using Consents.Api.AccessLog;
using Consents.Api.Companions.Listing;
using Consents.Api.ConsentRecord;
using Consents.Api.Consents.Listing;
using Consents.Api.ContactPersons;
using Coordination.Bench.Infrastructure;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Npgsql;
using static Coordination.Bench.Sections.BenchIds;

namespace Coordination.Bench.Sections;

/// <summary>
/// Issue 4: GET /me/consent-record for persons with 1 000 access-log entries each, among the access logs of
/// 100 000 persons (10 000 on the small scale), beside the raw PostgreSQL read of the same rows. The readers are
/// persons registered through Consents and activated through Identity's activation form (real logins, real
/// tokens); their log entries and the other persons' are seeded into Consents' store directly.
/// </summary>
public static class ConsentRecordReads
{
    public const int EntriesPerReader = 1_000;
    private const int EntriesPerOtherPerson = 5;
    private const int Readers = 3;
    public const double Rate = 100;

    public static async Task<(StepResult Http, StepResult Raw, long Persons)> Run(BenchSettings settings, Clients clients, ServiceStores stores)
    {
        var store = stores.Consents();
        var others = settings.Full ? 100_000 : 10_000;
        await SeedOthers(settings, store, others);

        // Readers: the demo person, and persons registered, activated and logged in as a person would be. Identity
        // allows 5 activation tries per client address per 15 minutes: the bench stops at the first refusal.
        var logins = new List<(string Login, string Password, Guid Person)> { ("person@demo", DemoData.Password, DemoData.Person) };
        var pool = await Pool.Register(clients, Readers, "registre " + DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        foreach (var p in pool)
        {
            var login = "banc" + p.Id.ToString("N")[..10];
            const string Password = "un mot de passe du banc d'essai";
            if (!await Activate(settings, clients, p.ActivationCode, login, Password)) break;
            logins.Add((login, Password, p.Id));
        }
        long demoEntry = 0;
        await store.BulkInsertAsync(Entries(DemoData.Person, EntriesPerReader, () => Of(Kind.LogEntry, 900_000_000 + demoEntry++)).ToList(),
            Weasel.Core.BulkInsertMode.OverwriteExisting);
        await store.BulkInsertAsync(logins.Skip(1).SelectMany(l => Entries(l.Person, EntriesPerReader, Guid.CreateVersion7)).ToList());
        Console.WriteLine($"    {logins.Count} readers with {EntriesPerReader} entries each");

        using var http = clients.For(settings.Consents);
        await using var data = NpgsqlDataSource.Create(settings.RawReads);
        foreach (var l in logins) await clients.Tokens.User(l.Login, l.Password);
        var raw = RawQuery(store);

        async Task<bool> OverHttp(int _, CancellationToken ct)
        {
            var reader = logins[Random.Shared.Next(logins.Count)];
            using var request = await clients.Request(HttpMethod.Get, "me/consent-record", reader.Login, password: reader.Password);
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return OpenLoop.Expect(response, HttpStatusCode.OK);
        }

        async Task<bool> Raw(int _, CancellationToken ct)
        {
            var reader = logins[Random.Shared.Next(logins.Count)];
            await using var connection = await data.OpenConnectionAsync(ct);
            await using var batch = raw(reader.Person, connection);
            return await Sql.ReadAll(batch, ct) > 0;
        }

        // Every opening of the record logs the reader's own read: the warm-ups alone (thousands of openings) would
        // leave each reader with several times the 1 000 entries the target names, and the demo person's log kept
        // growing from run to run (raw p50 3.3 → 8.2 ms over four runs). Before each measure the readers' own reads
        // go, and the table is vacuumed so that the count by person stays index-only.
        async Task KeepTheEntriesNamed()
        {
            await using var connection = await data.OpenConnectionAsync();
            // The own reads reach the log through Consents' outbox and queue: wait until the warm-up's have landed
            // (the outbox has published everything and the readers' logs stopped growing), or they land in the measure.
            var readers = logins.Select(l => l.Person).ToArray();
            long last = -1;
            for (var settled = 0; settled < 3;)
            {
                await Task.Delay(500);
                await using var state = new NpgsqlCommand(
                    "select (select coalesce(max(seq_id), 0) from consents.mt_events) - coalesce((select last_seq_id from consents.mt_event_progression " +
                    "where name = 'contract-publisher:All'), 0), (select count(*) from consents.mt_doc_accesslogentry where person_id = any($1))", connection);
                state.Parameters.Add(new NpgsqlParameter { Value = readers });
                await using var reader = await state.ExecuteReaderAsync();
                await reader.ReadAsync();
                var (unpublished, entries) = (reader.GetInt64(0), reader.GetInt64(1));
                settled = unpublished == 0 && entries == last ? settled + 1 : 0;
                last = entries;
            }
            await using (var delete = new NpgsqlCommand(
                $"delete from consents.mt_doc_accesslogentry where person_id = any($1) and basis = '{Bases.Self}'", connection))
            {
                delete.Parameters.Add(new NpgsqlParameter { Value = readers });
                await delete.ExecuteNonQueryAsync();
            }
            await using var vacuum = new NpgsqlCommand("vacuum consents.mt_doc_accesslogentry", connection) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync();
        }

        var both = await OpenLoop.Beside(Rate, settings.Step, 64, OverHttp, Raw, beforeEachMeasure: KeepTheEntriesNamed);
        return (both.Http, both.Raw, others + Readers);
    }

    /// <summary>
    /// The activation code reaches Identity through the broker: wait until Identity holds it (reading its table)
    /// before submitting the form once — Identity throttles repeated tries of a code.
    /// </summary>
    private static async Task<bool> Activate(BenchSettings settings, Clients clients, string code, string login, string password)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            new string(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray()))));
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            for (var i = 0; ; i++)
            {
                await using var command = new NpgsqlCommand("select count(*) from identity.mt_doc_activationcode where data->>'codeSha256' = $1", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = hash });
                if ((long)(await command.ExecuteScalarAsync())! > 0) break;
                if (i > 600) throw new InvalidOperationException("The activation code did not reach Identity within 2 minutes.");
                await Task.Delay(200);
            }
        }
        using var browser = clients.Tokens.Browser();
        using var answer = await HtmlForms.Submit(browser, "account/activate", new Dictionary<string, string>
        {
            ["code"] = code, ["login"] = login, ["password"] = password, ["passwordConfirmation"] = password,
        });
        if (answer.StatusCode == HttpStatusCode.OK) return true;
        Console.WriteLine($"    activation refused ({(int)answer.StatusCode}): continuing with the readers activated so far");
        return false;
    }

    /// <summary>The other persons' logs, seeded once and kept (their ids are the bench's own).</summary>
    private static async Task SeedOthers(BenchSettings settings, IDocumentStore store, int persons)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        long present;
        await using (var count = new NpgsqlCommand("select count(*) from consents.mt_doc_accesslogentry where id::text like $1", connection))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = Prefix + "0011-%" });
            present = (long)(await count.ExecuteScalarAsync())!;
        }
        if (present >= (long)persons * EntriesPerOtherPerson) return;
        await using (var clean = new NpgsqlCommand("delete from consents.mt_doc_accesslogentry where id::text like $1", connection))
        {
            clean.Parameters.Add(new NpgsqlParameter { Value = Prefix + "0011-%" });
            await clean.ExecuteNonQueryAsync();
        }
        const int Chunk = 10_000;
        long entry = 0;
        for (var first = 0; first < persons; first += Chunk)
        {
            var batch = new List<AccessLogEntry>();
            for (var p = first; p < Math.Min(persons, first + Chunk); p++)
            {
                batch.AddRange(Entries(Of(Kind.LogPerson, p), EntriesPerOtherPerson, () => Of(Kind.LogEntry, entry++)));
            }
            await store.BulkInsertAsync(batch);
        }
        // Vacuumed as autovacuum would after a bulk insert: the visibility map lets the count by person be index-only,
        // and autovacuum does not start on the new rows during the measure.
        await using var analyze = new NpgsqlCommand("vacuum (analyze) consents.mt_doc_accesslogentry", connection) { CommandTimeout = 600 };
        await analyze.ExecuteNonQueryAsync();
    }

    private static IEnumerable<AccessLogEntry> Entries(Guid person, int count, Func<Guid> id)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-300);
        for (var i = 0; i < count; i++)
        {
            var body = DemoData.Bodies[i % DemoData.Bodies.Length].Id;
            yield return new AccessLogEntry(id(), person, "bench-reader-" + (i % 7), "Professionnel " + (i % 7), body, RoleCategories.SocialWorker,
                i % 2 == 0 ? "referrals" : "appointments", "GET /persons/{personId:guid}/follow-up", [.. Categories.All], [], Bases.Consent, null,
                start.AddMinutes(i * 397));
        }
    }

    /// <summary>The SQL Marten generates for the endpoint's reads, as one Npgsql batch, plus the body names it loads after.</summary>
    private static Func<Guid, NpgsqlConnection, NpgsqlBatch> RawQuery(IDocumentStore store)
    {
        using var session = store.QuerySession();
        var probe = Guid.Empty;
        var commands = new List<NpgsqlCommand>
        {
            session.Query<global::Consents.Api.Persons.GettingDetails.PersonDetails>().Where(p => p.Id == probe).ToCommand(),
            session.Query<global::Consents.Api.Copies.LoginCopy>().Where(l => l.Id == probe).ToCommand(),
            session.Query<ConsentDetails>().Where(c => c.PersonId == probe).ToCommand(),
            session.Query<CompanionDetails>().Where(c => c.PersonId == probe).ToCommand(),
            session.Query<ContactPersonEntry>().Where(e => e.PersonId == probe && e.Active).ToCommand(),
            LatestByOthers(store, probe),
            session.Query<AccessLogEntry>().Where(e => e.PersonId == probe).ToCommand(Marten.Linq.FetchType.Count),
        };
        var bodies = $"select d.data from {store.Options.DatabaseSchemaName}.mt_doc_bodycopy as d where d.id = any($1)";
        var bodyIds = DemoData.Bodies.Select(b => b.Id).ToArray();
        return (person, connection) => Sql.Batch(connection, commands, probe, person, (bodies, bodyIds));
    }

    /// <summary>The endpoint's own statement for the latest reads by others, with the columns Marten selects.</summary>
    private static NpgsqlCommand LatestByOthers(IDocumentStore store, Guid person)
    {
        var command = new NpgsqlCommand(
            $"select d.id, d.data from {store.Options.DatabaseSchemaName}.mt_doc_accesslogentry as d " +
            GetConsentRecordEndpoint.LatestByOthers.Replace("?", "$1", StringComparison.Ordinal));
        command.Parameters.Add(new NpgsqlParameter { Value = person, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        return command;
    }
}
