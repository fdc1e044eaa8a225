using System.Globalization;
using System.Text;

namespace Directory.Api.Formats;

/// <summary>
/// The subset of OSM <c>opening_hours</c> (https://wiki.openstreetmap.org/wiki/Key:opening_hours) that
/// Directory understands and publishes: rules separated by <c>;</c>, each one of
/// <list type="bullet">
/// <item><c>Mo-Fr 08:30-12:00,13:30-17:00</c> — weekdays (a day, a range in week order, or a comma list of
/// both) followed by one or more time ranges within the same day (<c>24:00</c> may close a range);</item>
/// <item><c>08:00-18:00</c> — time ranges alone, meaning every day;</item>
/// <item><c>Sa,Su off</c> — days closed;</item>
/// <item><c>PH off</c> — closed on public holidays.</item>
/// </list>
/// Anything else (months, week numbers, open ends, ranges past midnight, comments) is outside the subset:
/// import keeps it with a warning, the API refuses it.
/// </summary>
public static class OpeningHours
{
    private static readonly string[] Days = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

    public sealed record DayRange(int From, int To);

    public sealed record TimeRange(TimeOnly Opens, TimeOnly Closes, bool ClosesAtMidnight);

    /// <summary>One rule: days (empty = every day) with times, or days closed, or public holidays closed.</summary>
    public sealed record Rule(IReadOnlyList<DayRange> Days, IReadOnlyList<TimeRange> Times, bool Off, bool PublicHolidays);

    public static bool TryParse(string text, out IReadOnlyList<Rule> rules, out string error)
    {
        rules = [];
        error = "";
        var parsed = new List<Rule>();
        var parts = text.Split(';');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                // A trailing ";" is common and harmless; an empty rule elsewhere is a typo.
                if (i == parts.Length - 1 && i > 0) continue;
                error = "Empty rule.";
                return false;
            }
            if (!TryParseRule(part, out var rule, out error)) return false;
            parsed.Add(rule);
        }
        rules = parsed;
        return true;
    }

    public static bool IsValid(string text) => TryParse(text, out _, out _);

    /// <summary>The canonical spelling: single spaces, <c>"; "</c> between rules.</summary>
    public static string Normalize(IReadOnlyList<Rule> rules) => string.Join("; ", rules.Select(Format));

    private static bool TryParseRule(string part, out Rule rule, out string error)
    {
        rule = null!;
        error = "";
        if (part == "PH off")
        {
            rule = new Rule([], [], Off: true, PublicHolidays: true);
            return true;
        }
        var tokens = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<DayRange> days = [];
        string? times;
        switch (tokens.Length)
        {
            case 1 when char.IsAsciiDigit(tokens[0][0]):
                times = tokens[0];
                break;
            case 2:
                if (!TryParseDays(tokens[0], out days))
                {
                    error = $"'{tokens[0]}' is not a weekday selector such as Mo-Fr or Mo,We,Fr.";
                    return false;
                }
                times = tokens[1];
                break;
            default:
                error = $"'{part}' is outside the supported opening_hours subset.";
                return false;
        }
        if (times == "off")
        {
            if (days.Count == 0)
            {
                error = "'off' needs the days it applies to.";
                return false;
            }
            rule = new Rule(days, [], Off: true, PublicHolidays: false);
            return true;
        }
        if (!TryParseTimes(times, out var ranges, out error)) return false;
        rule = new Rule(days, ranges, Off: false, PublicHolidays: false);
        return true;
    }

    private static bool TryParseDays(string selector, out IReadOnlyList<DayRange> days)
    {
        var list = new List<DayRange>();
        days = list;
        foreach (var item in selector.Split(','))
        {
            var ends = item.Split('-');
            if (ends.Length is < 1 or > 2) return false;
            var from = Array.IndexOf(Days, ends[0]);
            var to = ends.Length == 2 ? Array.IndexOf(Days, ends[1]) : from;
            if (from < 0 || to < 0 || to < from) return false;
            list.Add(new DayRange(from, to));
        }
        return list.Count > 0;
    }

    private static bool TryParseTimes(string text, out IReadOnlyList<TimeRange> ranges, out string error)
    {
        var list = new List<TimeRange>();
        ranges = list;
        error = "";
        foreach (var item in text.Split(','))
        {
            var ends = item.Split('-');
            if (ends.Length != 2 || !TryParseTime(ends[0], out var opens, out var openAt24) || !TryParseTime(ends[1], out var closes, out var closeAt24) || openAt24)
            {
                error = $"'{item}' is not a time range such as 08:30-12:00.";
                return false;
            }
            if (!closeAt24 && closes <= opens)
            {
                error = $"'{item}' must close after it opens, on the same day.";
                return false;
            }
            list.Add(new TimeRange(opens, closes, closeAt24));
        }
        return true;
    }

    private static bool TryParseTime(string text, out TimeOnly time, out bool midnight)
    {
        time = default;
        midnight = false;
        if (text.Length != 5 || text[2] != ':' || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1])
            || !char.IsAsciiDigit(text[3]) || !char.IsAsciiDigit(text[4])) return false;
        var hours = int.Parse(text.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var minutes = int.Parse(text.AsSpan(3, 2), CultureInfo.InvariantCulture);
        if (hours == 24 && minutes == 0)
        {
            midnight = true;
            return true;
        }
        if (hours > 23 || minutes > 59) return false;
        time = new TimeOnly(hours, minutes);
        return true;
    }

    private static string Format(Rule rule)
    {
        if (rule.PublicHolidays) return "PH off";
        var text = new StringBuilder();
        if (rule.Days.Count > 0)
        {
            text.AppendJoin(',', rule.Days.Select(d => d.From == d.To ? Days[d.From] : $"{Days[d.From]}-{Days[d.To]}"));
            text.Append(' ');
        }
        if (rule.Off) return text.Append("off").ToString();
        text.AppendJoin(',', rule.Times.Select(t =>
            $"{t.Opens.ToString("HH:mm", CultureInfo.InvariantCulture)}-{(t.ClosesAtMidnight ? "24:00" : t.Closes.ToString("HH:mm", CultureInfo.InvariantCulture))}"));
        return text.ToString();
    }
}
