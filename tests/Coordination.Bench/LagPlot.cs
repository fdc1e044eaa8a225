using ScottPlot;

namespace Coordination.Bench;

/// <summary>Lag percentiles of the end-to-end ramp against the offered load, drawn by the command (ScottPlot).</summary>
public static class LagPlot
{
    public static string Write(Report report, string path)
    {
        var points = report.Lag.Where(p => !double.IsNaN(p.P50)).OrderBy(p => p.Offered).ToList();
        var plot = new Plot();
        var x = points.Select(p => p.Offered).ToArray();
        foreach (var (name, values, color) in new[]
                 {
                     ("p50", points.Select(p => p.P50).ToArray(), Colors.SteelBlue),
                     ("p95", points.Select(p => p.P95).ToArray(), Colors.DarkOrange),
                     ("p99", points.Select(p => p.P99).ToArray(), Colors.Crimson),
                 })
        {
            var series = plot.Add.Scatter(x, values);
            series.LegendText = name;
            series.Color = color;
            series.MarkerSize = 7;
        }
        var e = report.Figures.FirstOrDefault(f => f.Section == "end to end" && f.Name.StartsWith("E: max sustained", StringComparison.Ordinal));
        if (e is { Value: > 0 })
        {
            var line = plot.Add.VerticalLine(e.Value);
            line.LegendText = $"E = {e.Value:0} referrals/s";
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
        }
        plot.Title("POST /referrals → Consents' read model: lag against offered load");
        plot.XLabel("offered load (referrals/s, open loop)");
        plot.YLabel("lag from 201 to visible (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
        return Path.GetFileName(path);
    }
}
