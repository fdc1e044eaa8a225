using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appointments.Api.Schedules;

/// <summary>One slot of a schedule, as derived from its recurrence.</summary>
public sealed record DerivedSlot(Guid Id, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>
/// The slots (créneaux) of a recurrence, pure. Times are Paris wall-clock times turned into instants day by day,
/// so a 09:00 slot is 08:00Z in winter and 07:00Z in summer. A slot starting in the hour skipped in March does not
/// exist; one starting in the hour repeated in October is taken once, in standard time.
/// </summary>
public static class SlotDerivation
{
    public static IEnumerable<DerivedSlot> Slots(Guid scheduleId, Recurrence r, int durationMinutes)
    {
        var days = r.Days.ToHashSet();
        var length = TimeSpan.FromMinutes(durationMinutes);
        for (var date = r.From; date <= r.To; date = date.AddDays(1))
        {
            if (!days.Contains(date.DayOfWeek)) continue;
            for (var start = r.StartTime; start.ToTimeSpan() + length <= r.EndTime.ToTimeSpan(); start = start.Add(length))
            {
                if (Paris.Instant(date, start) is not { } instant) continue;
                yield return new DerivedSlot(IdOf(scheduleId, instant), instant, instant + length);
            }
        }
    }

    public static int Count(Recurrence r, int durationMinutes) => Slots(Guid.Empty, r, durationMinutes).Count();

    /// <summary>A slot's id follows from its schedule and start, so "scheduleId + startsAt" and "slotId" name the same slot.</summary>
    public static Guid IdOf(Guid scheduleId, DateTimeOffset startsAt)
    {
        Span<byte> input = stackalloc byte[24];
        scheduleId.TryWriteBytes(input);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], startsAt.ToUnixTimeMilliseconds());
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        // RFC 9562 version 8 (custom), variant 10.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
