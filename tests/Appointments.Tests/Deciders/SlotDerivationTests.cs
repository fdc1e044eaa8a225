using Appointments.Api.Schedules;
using Xunit;

namespace Appointments.Tests.Deciders;

public sealed class SlotDerivationTests
{
    private static readonly Guid Schedule = Guid.Parse("0193a0a0-0000-7000-8000-0000000000ff");

    private static List<DerivedSlot> Slots(DateOnly from, DateOnly to, TimeOnly start, TimeOnly end, int minutes, params DayOfWeek[] days) =>
        SlotDerivation.Slots(Schedule, new Recurrence(days.Length == 0 ? Enum.GetValues<DayOfWeek>() : days, start, end, from, to), minutes).ToList();

    [Fact]
    public void GivenTheLastSundayOfMarch_WhenDerivingNineOClock_ThenItMovesFromEightToSevenUtc()
    {
        // 2027-03-28 is the last Sunday of March: Paris goes from UTC+1 to UTC+2 at 02:00.
        var slots = Slots(new DateOnly(2027, 3, 27), new DateOnly(2027, 3, 29), new TimeOnly(9, 0), new TimeOnly(10, 0), 60);

        Assert.Equal(
            [
                new DateTimeOffset(2027, 3, 27, 8, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 3, 28, 7, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 3, 29, 7, 0, 0, TimeSpan.Zero),
            ], slots.Select(s => s.StartsAt));
        Assert.All(slots, s => Assert.Equal(TimeSpan.FromHours(1), s.EndsAt - s.StartsAt));
    }

    [Fact]
    public void GivenTheLastSundayOfOctober_WhenDerivingNineOClock_ThenItMovesFromSevenToEightUtc()
    {
        // 2027-10-31 is the last Sunday of October: Paris goes back from UTC+2 to UTC+1 at 03:00.
        var slots = Slots(new DateOnly(2027, 10, 30), new DateOnly(2027, 11, 1), new TimeOnly(9, 0), new TimeOnly(10, 0), 60);

        Assert.Equal(
            [
                new DateTimeOffset(2027, 10, 30, 7, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 10, 31, 8, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 11, 1, 8, 0, 0, TimeSpan.Zero),
            ], slots.Select(s => s.StartsAt));
    }

    [Fact]
    public void GivenTheSkippedHourInMarch_WhenDeriving_ThenNoSlotStartsInIt()
    {
        var slots = Slots(new DateOnly(2027, 3, 28), new DateOnly(2027, 3, 28), new TimeOnly(1, 0), new TimeOnly(4, 0), 60);

        // 01:00 (00:00Z) and 03:00 (01:00Z) exist; 02:00 does not.
        Assert.Equal([new DateTimeOffset(2027, 3, 28, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero)],
            slots.Select(s => s.StartsAt));
    }

    [Fact]
    public void GivenTheRepeatedHourInOctober_WhenDeriving_ThenItIsOneSlotInStandardTime()
    {
        var slots = Slots(new DateOnly(2027, 10, 31), new DateOnly(2027, 10, 31), new TimeOnly(2, 0), new TimeOnly(3, 0), 60);

        Assert.Equal([new DateTimeOffset(2027, 10, 31, 1, 0, 0, TimeSpan.Zero)], slots.Select(s => s.StartsAt));
    }

    [Fact]
    public void GivenDaysOfWeek_WhenDeriving_ThenOnlyThoseDaysAndWholeSlotsBeforeTheEnd()
    {
        // Two weeks, Tuesdays and Thursdays, 09:00–11:10 in 30-minute slots: 4 whole slots a day (the 10-minute rest is no slot).
        var slots = Slots(new DateOnly(2027, 1, 4), new DateOnly(2027, 1, 17), new TimeOnly(9, 0), new TimeOnly(11, 10), 30,
            DayOfWeek.Tuesday, DayOfWeek.Thursday);

        Assert.Equal(16, slots.Count);
        Assert.All(slots, s => Assert.Contains(TimeZoneInfo.ConvertTime(s.StartsAt, Appointments.Api.Paris.Zone).DayOfWeek,
            new[] { DayOfWeek.Tuesday, DayOfWeek.Thursday }));
        Assert.Equal(slots.Count, slots.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void GivenAScheduleAndAStart_WhenNamingTheSlot_ThenTheIdIsStable()
    {
        var start = new DateTimeOffset(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(SlotDerivation.IdOf(Schedule, start), SlotDerivation.IdOf(Schedule, start));
        Assert.NotEqual(SlotDerivation.IdOf(Schedule, start), SlotDerivation.IdOf(Schedule, start.AddMinutes(30)));
        Assert.NotEqual(SlotDerivation.IdOf(Schedule, start), SlotDerivation.IdOf(Guid.CreateVersion7(), start));
    }
}
