using System.Security.Cryptography;
using System.Text;

namespace Directory.Api.Formats;

/// <summary>
/// Name-based ids (RFC 9562 version 8, from SHA-256): the same source record or demo login always maps to
/// the same stream, so re-importing or re-seeding finds what it created instead of duplicating it.
/// </summary>
public static class StableIds
{
    public static Guid From(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("coordination/directory/" + name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
