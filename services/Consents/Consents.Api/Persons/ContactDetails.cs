using System.Net.Mail;
using PhoneNumbers;

namespace Consents.Api.Persons;

/// <summary>Phone numbers in E.164 (French numbers may be written the national way) and plausible e-mail addresses.</summary>
public static class ContactDetails
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static bool TryNormalizePhone(string input, out string e164)
    {
        e164 = "";
        try
        {
            var number = Phones.Parse(input, "FR");
            if (!Phones.IsValidNumber(number)) return false;
            e164 = Phones.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    public static bool IsEmail(string input) =>
        input.Length <= 254 && MailAddress.TryCreate(input, out var address) && address.Address == input && input.Contains('.', StringComparison.Ordinal);

    /// <summary>Validates optional phone and e-mail, adding errors under the given field names; returns the normalized values.</summary>
    public static (string? Phone, string? Email) Validate(string? phone, string? email, string phoneField, string emailField,
        IDictionary<string, string[]> errors)
    {
        string? normalizedPhone = null;
        if (!string.IsNullOrWhiteSpace(phone))
        {
            if (TryNormalizePhone(phone.Trim(), out var e164)) normalizedPhone = e164;
            else errors[phoneField] = ["Not a valid phone number (e.g. +33612345678 or 06 12 34 56 78)."];
        }
        string? normalizedEmail = null;
        if (!string.IsNullOrWhiteSpace(email))
        {
            var trimmed = email.Trim();
            if (IsEmail(trimmed)) normalizedEmail = trimmed;
            else errors[emailField] = ["Not a valid e-mail address."];
        }
        return (normalizedPhone, normalizedEmail);
    }
}
