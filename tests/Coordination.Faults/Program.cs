using System.Diagnostics;
using Coordination.Faults;

// ./coordination faults [--only 1,3,8] [--rate <commands/s>] [--keep-infra]
var root = FindRoot();
var settings = FaultSettings.Parse(args, root);
var wall = Stopwatch.StartNew();
var results = new List<ScenarioResult>();
await using (var suite = new Suite(settings))
{
    await suite.StartAsync();
    if (settings.Hold)
    {
        // The isolated system stays up for a look by hand (services on 5200–5204) until Ctrl+C or SIGTERM.
        var stop = new TaskCompletionSource();
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        Console.WriteLine("Holding: the isolated system is up (Ctrl+C to stop).");
        await stop.Task;
        return 0;
    }
    foreach (var (number, title) in Suite.Catalogue)
    {
        if (!settings.Runs(number)) continue;
        results.Add(await suite.RunAsync(number, title, suite.Scenario(number)));
    }
}

var output = Path.Combine(root, "docs", "faults");
Directory.CreateDirectory(output);
var file = Path.Combine(output, "latest.md");
await File.WriteAllTextAsync(file, FaultReport.Markdown(results, settings, wall.Elapsed));
Console.WriteLine();
Console.WriteLine(FaultReport.Table(results));
Console.WriteLine($"Written to {file}");
var failed = results.Count(r => !r.Passed);
Console.WriteLine($"{results.Count - failed} scenarios passed, {failed} failed");
return failed == 0 ? 0 : 1;

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coordination.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
