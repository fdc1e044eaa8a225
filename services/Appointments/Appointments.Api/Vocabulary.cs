using System.Text.Json;

namespace Appointments.Api;

/// <summary>How the appointment happens (DESIGN §3).</summary>
public enum Mode { InPerson, Phone, Video, HomeVisit }

/// <summary>Who may book a schedule's slots: the body's own members, professionals of other bodies, the person themself.</summary>
public enum BookableBy { BodyMembers, PartnerProfessionals, Person }

public enum AppointmentStatus { Booked, Cancelled, Attended, Missed }

public enum CancelledBy { Person, BookingBody, ReceivingBody }

public enum CancelReason { PersonUnavailable, BodyUnavailable, NoLongerNeeded, Other }

public enum AttendanceOutcome { Seen, Noshow, Excused }

/// <summary>Codes as the API and the contracts spell them: the enum name in snake_case (<c>InPerson</c> → <c>in_person</c>).</summary>
public static class Codes
{
    public static string Code<T>(this T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? code, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.Code(), code, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    public static string List<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => v.Code()));
}

/// <summary>Opening schedules are French local time; slots are instants.</summary>
public static class Paris
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>
    /// The instant of a Paris wall-clock time, or null when that time does not exist (the hour skipped on the last
    /// Sunday of March). An ambiguous time (the hour repeated in October) is taken in standard time, its second occurrence.
    /// </summary>
    public static DateTimeOffset? Instant(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local)) return null;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, Zone), TimeSpan.Zero);
    }
}
