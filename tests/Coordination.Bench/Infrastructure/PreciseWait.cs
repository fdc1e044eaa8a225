using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Coordination.Bench.Infrastructure;

/// <summary>
/// Sleeps a dedicated thread until an instant, to within tens of microseconds, without spinning. The open loop sends
/// a request every 5 ms at 200/s; Task.Delay wakes to the millisecond only, and yielding until the instant made the
/// load generator burn 0.4 of a core on the two-core machine it shares with the system under test.
/// On Linux, clock_nanosleep on CLOCK_MONOTONIC with an absolute deadline; elsewhere a millisecond sleep and a
/// short spin.
/// </summary>
public sealed class PreciseWait
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int Interrupted = 4;

    private readonly bool _native = OperatingSystem.IsLinux();
    private readonly long _startNanoseconds;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public PreciseWait()
    {
        if (_native && NativeMethods.clock_gettime(ClockMonotonic, out var now) == 0) _startNanoseconds = now.Seconds * 1_000_000_000 + now.Nanoseconds;
        else _native = false;
    }

    /// <summary>Time since this instance was made (the origin of every instant it waits for).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Until(TimeSpan instant)
    {
        if (_native)
        {
            var deadline = _startNanoseconds + instant.Ticks * 100;
            var request = new NativeMethods.Timespec { Seconds = deadline / 1_000_000_000, Nanoseconds = deadline % 1_000_000_000 };
            while (NativeMethods.clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, ref request, IntPtr.Zero) == Interrupted)
            {
            }
            return;
        }
        var wait = instant - _clock.Elapsed;
        if (wait > TimeSpan.FromMilliseconds(2)) Thread.Sleep(wait - TimeSpan.FromMilliseconds(1));
        while (_clock.Elapsed < instant) Thread.SpinWait(20);
    }

    private static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        public static extern int clock_gettime(int clockId, out Timespec time);

        [DllImport("libc", EntryPoint = "clock_nanosleep")]
        public static extern int clock_nanosleep(int clockId, int flags, ref Timespec request, IntPtr remaining);
    }
}
