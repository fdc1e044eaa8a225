namespace Directory.Api.Formats;

/// <summary>
/// SIRET (establishment number): 14 digits, the SIREN (9) then the establishment's NIC (5). Both keys are Luhn
/// checks, except at La Poste, whose thousands of establishments share SIREN 356 000 000 and ran out of Luhn
/// keys: there the digit sum of the SIRET is a multiple of 5 (the head office, 356 000 000 00048, is Luhn).
/// </summary>
public static class Siret
{
    private const string LaPosteSiren = "356000000";
    private const string LaPosteHeadOffice = "35600000000048";

    public static bool IsWellFormed(string value) => value.Length == 14 && value.All(char.IsAsciiDigit);

    public static bool IsValid(string value)
    {
        if (!IsWellFormed(value)) return false;
        if (value.StartsWith(LaPosteSiren, StringComparison.Ordinal) && value != LaPosteHeadOffice)
        {
            return value.Sum(c => c - '0') % 5 == 0;
        }
        return Luhn(value.AsSpan(0, 9)) && Luhn(value);
    }

    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
