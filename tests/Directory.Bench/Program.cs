using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Http;
using Directory.Api.Bodies.Searching;
using Directory.Bench;
using HdrHistogram;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

// Search latency of GET /bodies?commune=&thematique= over HTTP beside the raw PostgreSQL time of the same
// SQL, in one run. Usage: dotnet run -c Release --project tests/Directory.Bench -- [bodies] [servicesPerBody] [queries]
// WebApplicationFactory finds the services' content roots in MvcTestingAppManifest.json next to the binaries.
Environment.CurrentDirectory = AppContext.BaseDirectory;
var bodies = Argument(0, 10_000);
var servicesPerBody = Argument(1, 5);
var queries = Argument(2, 2_000);
const int Batch = 500;
const int WarmUp = 200;

AnsiConsole.MarkupLine($"[bold]Directory search benchmark[/]: {bodies:N0} bodies, {bodies * servicesPerBody:N0} services, {queries:N0} queries");
var fixture = new BenchFixture();
await fixture.InitializeAsync();
try
{
    var data = new DataSet(seed: 42);
    using var http = fixture.Client(fixture.Directory);
    http.Timeout = TimeSpan.FromMinutes(10);
    // Access tokens live 5 minutes and a large import takes longer: each request goes with a token still valid
    // (Tokens hands out its cached one until a minute before it expires).
    async Task Authorize() => http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.Tokens.Client());
    await Authorize();

    var load = Stopwatch.StartNew();
    await AnsiConsole.Progress().StartAsync(async progress =>
    {
        var task = progress.AddTask("Importing (data·inclusion)", maxValue: bodies);
        for (var first = 0; first < bodies; first += Batch)
        {
            var count = Math.Min(Batch, bodies - first);
            var (structures, services) = data.Batch(first, count, servicesPerBody);
            await Authorize();
            var payload = new JsonObject { ["structures"] = structures, ["services"] = services };
            using var response = await http.PostAsync(new Uri("imports/data-inclusion", UriKind.Relative),
                new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
            var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (!response.IsSuccessStatusCode || report["rejected"]!.AsArray().Count > 0)
                throw new InvalidOperationException($"Import failed: {(int)response.StatusCode} {report.ToJsonString()[..Math.Min(500, report.ToJsonString().Length)]}");
            task.Increment(count);
        }
    });
    var loaded = load.Elapsed;
    AnsiConsole.MarkupLine($"Loaded in {loaded.TotalSeconds:0} s");

    await using var sql = new NpgsqlConnection(fixture.Database.ConnectionString);
    await sql.OpenAsync();
    await Execute(sql, "vacuum analyze directory.mt_doc_bodysearchentry");
    await WaitForOutbox(sql);

    var store = fixture.Directory.Services.GetRequiredService<IDocumentStore>();
    var schema = store.Options.DatabaseSchemaName;
    var searches = Enumerable.Range(0, queries + WarmUp).Select(_ => new BodySearchFilter(data.RandomCommune(), null, data.RandomThematique(), null)).ToList();
    var overHttp = new LongHistogram(60_000_000, 3);
    var inProcess = new LongHistogram(60_000_000, 3);
    var inPostgres = new LongHistogram(60_000_000, 3);
    long rows = 0;

    // Interleaved, one query at a time: each triple sees the same cache state and the same machine load.
    for (var i = 0; i < searches.Count; i++)
    {
        var f = searches[i];
        var url = $"bodies?commune={f.Commune}&thematique={Uri.EscapeDataString(f.Thematique!)}";
        if (i % 100 == 0) await Authorize();
        var clock = Stopwatch.StartNew();
        using (var response = await http.GetAsync(new Uri(url, UriKind.Relative)))
        {
            await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}");
        }
        var httpMicros = (long)clock.Elapsed.TotalMicroseconds;

        clock.Restart();
        await using (var session = store.QuerySession())
        {
            await BodySearch.Run(session, f, new Paging(1, Paging.DefaultSize), CancellationToken.None);
        }
        var martenMicros = (long)clock.Elapsed.TotalMicroseconds;

        await using var command = Command(BodySearch.Page(schema, f, new Paging(1, Paging.DefaultSize)), sql);
        clock.Restart();
        var read = 0;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                for (var c = 0; c < reader.FieldCount; c++) reader.GetValue(c);
                read++;
            }
        }
        var sqlMicros = (long)clock.Elapsed.TotalMicroseconds;
        if (i < WarmUp) continue;
        overHttp.RecordValue(httpMicros);
        inProcess.RecordValue(martenMicros);
        inPostgres.RecordValue(sqlMicros);
        rows += read;
    }

    var table = new Table().AddColumns("", "p50 (ms)", "p90 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)");
    foreach (var (name, h) in new[] { ("GET /bodies (HTTP)", overHttp), ("same query in-process (Marten)", inProcess), ("same SQL (PostgreSQL)", inPostgres) })
    {
        table.AddRow(name, Ms(h, 50), Ms(h, 90), Ms(h, 99), Ms(h, 99.9), (h.GetMaxValue() / 1000.0).ToString("0.00", CultureInfo.InvariantCulture));
    }
    AnsiConsole.Write(table);
    var p99Http = overHttp.GetValueAtPercentile(99) / 1000.0;
    var p99Sql = inPostgres.GetValueAtPercentile(99) / 1000.0;
    var ratio = p99Http / p99Sql;
    AnsiConsole.MarkupLine($"Rows per page on average: {rows / (double)queries:0.0}; load average {LoadAverage()}");
    AnsiConsole.MarkupLine($"p99 HTTP {p99Http:0.00} ms {(p99Http <= 20 ? "[green]≤ 20 ms[/]" : "[red]> 20 ms[/]")}; " +
        $"p99 HTTP / p99 SQL = {ratio:0.00} {(ratio <= 3 ? "[green]≤ 3×[/]" : "[red]> 3×[/]")}");

    // Called by ./coordination bench (Coordination.Bench's "directory" section): the figures go back as JSON.
    if (Environment.GetEnvironmentVariable("DIRECTORY_BENCH_RESULT") is { Length: > 0 } resultPath)
    {
        var result = new JsonObject
        {
            ["bodies"] = bodies, ["services"] = bodies * servicesPerBody, ["queries"] = queries, ["loadSeconds"] = loaded.TotalSeconds,
            ["httpP50"] = overHttp.GetValueAtPercentile(50) / 1000.0, ["httpP99"] = p99Http,
            ["inProcessP99"] = inProcess.GetValueAtPercentile(99) / 1000.0,
            ["sqlP50"] = inPostgres.GetValueAtPercentile(50) / 1000.0, ["sqlP99"] = p99Sql,
            ["rowsPerPage"] = rows / (double)queries,
        };
        await File.WriteAllTextAsync(resultPath, result.ToJsonString());
    }

    var sample = searches[^1];
    await using (var command = Command(BodySearch.Page(schema, sample, new Paging(1, Paging.DefaultSize)), sql))
    {
        command.CommandText = "explain (analyze, buffers) " + command.CommandText;
        var plan = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.AppendLine(reader.GetString(0));
        AnsiConsole.Write(new Panel(Markup.Escape(plan.ToString())) { Header = new PanelHeader($"Plan of commune={sample.Commune}&thematique={sample.Thematique}") });
    }
}
finally
{
    await fixture.DisposeAsync();
}

// The machine is shared: its load at the end of the run says how far to trust the numbers.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// The endpoint's SQL with its "?" placeholders numbered for Npgsql.
static NpgsqlCommand Command(BodySearch.Sql search, NpgsqlConnection connection)
{
    var text = new StringBuilder();
    var n = 0;
    foreach (var c in search.Text) text.Append(c == '?' ? "$" + (++n).ToString(CultureInfo.InvariantCulture) : c.ToString());
    var command = new NpgsqlCommand(text.ToString(), connection);
    foreach (var p in search.Parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
    return command;
}

static string Ms(LongHistogram h, double percentile) => (h.GetValueAtPercentile(percentile) / 1000.0).ToString("0.00", CultureInfo.InvariantCulture);

int Argument(int index, int fallback) => args.Length > index && int.TryParse(args[index], out var value) ? value : fallback;

static async Task Execute(NpgsqlConnection connection, string text)
{
    await using var command = new NpgsqlCommand(text, connection);
    await command.ExecuteNonQueryAsync();
}

// The outbox reads every event once after a load; waiting for it keeps that work out of the measurement.
static async Task WaitForOutbox(NpgsqlConnection connection)
{
    for (var i = 0; i < 600; i++)
    {
        await using var command = new NpgsqlCommand(
            "select coalesce((select max(seq_id) from directory.mt_events), 0) - coalesce((select max(last_seq_id) from directory.mt_event_progression " +
            "where name like 'contract-publisher%'), 0)", connection);
        if ((long)(await command.ExecuteScalarAsync())! <= 0) return;
        await Task.Delay(500);
    }
}
