using System.Globalization;
using System.Text;

namespace Coordination.Faults;

/// <summary>The table of a run — scenario, commands sent, acknowledged, found, lost, duplicated, recovery — and the detail of every check.</summary>
public static class FaultReport
{
    public static string Table(IReadOnlyList<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("| # | scenario | sent | acknowledged | found | lost | duplicated | recovery s | result |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            var v = r.Verdict;
            var recovery = r.RecoverySeconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "—";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Number} | {r.Title} | {v.Sent} | {v.Acknowledged} | {v.Found} | {v.Lost} | {v.Duplicated} | {recovery} | {(r.Passed ? "pass" : "**FAIL**")} |");
        }
        return md.ToString();
    }

    public static string Markdown(IReadOnlyList<ScenarioResult> results, FaultSettings settings, TimeSpan duration)
    {
        var md = new StringBuilder();
        md.AppendLine("# Fault suite — latest run").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Produced by `./coordination faults` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC in {duration.TotalMinutes:0.0} min, " +
            $"load {settings.Rate:0.#} commands/s (referrals and bookings alternately). See ADR 0060 for what each scenario proves.").AppendLine();
        md.AppendLine("The promise: a 2xx answer means the write is kept and reaches every service that needs it, exactly once in effect, whatever fails.").AppendLine();
        md.AppendLine("- **sent**: creating commands sent during the scenario (and scenario 6's transitions); **acknowledged**: answered 2xx (after retries with the same Idempotency-Key);");
        md.AppendLine("- **found**: acknowledged and present in their own event stream and in every downstream read model (a referral in Consents' and Appointments' involvement and Appointments' referral copy; a booking in Referrals' appointment copy and involvement and Consents' involvement);");
        md.AppendLine("- **lost**: acknowledged but missing somewhere; **duplicated**: a command in more than one stream, or a document rewritten by a redelivery;");
        md.AppendLine("- **recovery s**: from the end of the fault until every service is ready, every outbox has published what was committed by then, every command acknowledged by then is everywhere, and no queue has a backlog (limit 60 s).").AppendLine();
        md.Append(Table(results)).AppendLine();
        foreach (var r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Number}. {r.Title}").AppendLine();
            if (r.Failure is not null) md.AppendLine(CultureInfo.InvariantCulture, $"**Did not run to the end:** {r.Failure}").AppendLine();
            md.AppendLine("| check | held | measured |").AppendLine("|---|---|---|");
            foreach (var c in r.Checks) md.AppendLine(CultureInfo.InvariantCulture, $"| {c.What} | {(c.Held ? "yes" : "**no**")} | {c.Measured.Replace("|", "\\|", StringComparison.Ordinal)} |");
            var v = r.Verdict;
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Answers: {v.Acknowledged} acknowledged, {v.Refused} refused, {v.Unknown} without a definite answer.");
            foreach (var n in r.Notes) md.AppendLine("- " + n);
            md.AppendLine();
        }
        return md.ToString();
    }
}
