namespace Directory.Api.Formats;

public static class Clock
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>Today in France (metropolitan time): membership and capacity dates are French calendar days.</summary>
    public static DateOnly Today(this TimeProvider time) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Paris).DateTime);

    public static DateOnly ParisDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Paris).DateTime);
}
