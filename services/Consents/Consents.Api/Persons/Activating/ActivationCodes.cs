using System.Security.Cryptography;
using System.Text;
using Consents.Api.Access;

namespace Consents.Api.Persons.Activating;

/// <summary>
/// The code a person turns into a login at Identity. Ten characters read aloud or copied from paper, so
/// no 0/O and no 1/I; 32 symbols give 50 bits. Consents keeps only the SHA-256 (lower-case hex of the
/// UTF-8 code), which is also all that travels in PersonActivationIssued.
/// </summary>
public static class ActivationCodes
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public const int Length = 10;
    public static readonly TimeSpan Validity = TimeSpan.FromDays(30);

    public static string New() => new(RandomNumberGenerator.GetItems<char>(Alphabet, Length));

    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    public static ActivationCodeIssued Issue(Guid personId, string code, DateTimeOffset now, Actor by) =>
        new(personId, Hash(code), now, now + Validity, by);
}
