using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Coordination.Bench;

public sealed record Figure(string Section, string Name, double Value, string Unit);

public sealed record Ratio(string Name, double Value, string Of);

/// <summary>A target: an absolute figure and, where one exists, the same-run ratio it is judged by too.</summary>
public sealed record Target(string Name, string Threshold, double Measured, string Unit, bool Met, string? RatioNote = null);

/// <summary>Everything one run measured, printed as a table and written as Markdown and JSON.</summary>
public sealed class Report
{
    public Dictionary<string, string> Machine { get; } = new(StringComparer.Ordinal);
    public List<Figure> Figures { get; } = [];
    public List<Ratio> Ratios { get; } = [];
    public List<Target> Targets { get; } = [];
    public List<string> Notes { get; } = [];

    public double Add(string section, string name, double value, string unit)
    {
        Figures.Add(new Figure(section, name, value, unit));
        Console.WriteLine($"  {section,-12} {name,-58} {Format(value),12} {unit}");
        return value;
    }

    public static string Format(double v) => v switch
    {
        double.NaN => "n/a",
        >= 100 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("N1", CultureInfo.InvariantCulture),
        _ => v.ToString("N2", CultureInfo.InvariantCulture),
    };

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark — latest run").AppendLine();
        md.AppendLine("Produced by `./coordination bench`. Absolute figures vary with the machine's load; ratios measured in the same run hold.").AppendLine();
        md.AppendLine("## Machine").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (k, v) in Machine) md.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {v} |");
        md.AppendLine().AppendLine("## Figures").AppendLine().AppendLine("| section | measure | value | unit |").AppendLine("|---|---|---:|---|");
        foreach (var f in Figures) md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Section} | {f.Name} | {Format(f.Value)} | {f.Unit} |");
        md.AppendLine().AppendLine("## Ratios").AppendLine().AppendLine("| ratio | value | of |").AppendLine("|---|---:|---|");
        foreach (var r in Ratios) md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {Format(r.Value)} | {r.Of} |");
        md.AppendLine().AppendLine("## Targets").AppendLine().AppendLine("| target | threshold | measured | met | same-run ratio |").AppendLine("|---|---|---:|---|---|");
        foreach (var t in Targets) md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Threshold} | {Format(t.Measured)} {t.Unit} | {(t.Met ? "yes" : "**no**")} | {t.RatioNote ?? ""} |");
        if (Notes.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var n in Notes) md.AppendLine("- " + n);
        }
        return md.ToString();
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(new { Machine, Figures, Ratios, Targets, Notes }, Json);
}
