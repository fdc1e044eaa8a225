using System.Text.Json;
using Json.Schema;
using SchemaFormats = Json.Schema.Formats;
using PhoneNumbers;

namespace Directory.Api.Formats;

/// <summary>
/// Phone, email and web address rules. Emails and URLs are checked with the same format validators that
/// check data·inclusion documents, so that whatever the API accepts also exports valid.
/// </summary>
public static class Contacts
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>A valid number, French unless it starts with a country code, in E.164 (<c>+33468903030</c>).</summary>
    public static bool TryNormalizePhone(string text, out string e164)
    {
        e164 = "";
        try
        {
            var number = Phones.Parse(text, "FR");
            if (!Phones.IsValidNumber(number)) return false;
            e164 = Phones.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>An email data·inclusion accepts (bodies and services are exported there).</summary>
    public static bool IsEmail(string text) => text.Length <= 254 && Matches(SchemaFormats.Email, text);

    /// <summary>
    /// A member's email is their login, never exported: any single RFC 5322 address will do, including
    /// a domain without a dot such as the demo logins' <c>@demo</c>.
    /// </summary>
    public static bool IsLoginEmail(string text) =>
        text.Length <= 254 && System.Net.Mail.MailAddress.TryCreate(text, out var address)
        && address.Address == text && string.IsNullOrEmpty(address.DisplayName);

    public static bool IsWebsite(string text) =>
        text.Length <= 2083 && Matches(SchemaFormats.Uri, text)
        && Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static bool Matches(Format format, string text) =>
        format.Validate(JsonSerializer.SerializeToElement(text), out _);

    /// <summary>Logins compare case-insensitively (as Identity does): the membership key is the lower-cased email.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
