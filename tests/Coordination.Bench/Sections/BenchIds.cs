using System.Buffers.Binary;

namespace Coordination.Bench.Sections;

/// <summary>
/// Ids of what the bench seeds: every one starts with <c>be9c5eed-</c>, so that a later run finds and removes
/// the previous run's seeds (by id, or by the personId their JSON carries) and seeds again to exact sizes.
/// </summary>
public static class BenchIds
{
    public const string Prefix = "be9c5eed-";
    public const string Like = Prefix + "%";

    public enum Kind : short
    {
        Person = 1, Referral = 2, SecondReferral = 3, Accompaniment = 4, SecondAccompaniment = 5, Access = 6, Appointment = 7,
        Companion = 8, CcasConsent = 9, CafConsent = 10, Member = 11, Slot = 12, Schedule = 13, Body = 14, Place = 15,
        LogPerson = 16, LogEntry = 17, ContestedSlot = 18,
    }

    public static Guid Of(Kind kind, long n)
    {
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(tail, n);
        return new Guid(unchecked((int)0xbe9c5eed), (short)kind, 0x7000, tail.ToArray());
    }
}
