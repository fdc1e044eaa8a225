using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Consents.Api;

/// <summary>
/// Checks the DataAnnotations of a request record (lengths, required members) and names each failure as the
/// JSON does (<c>grants[1].purpose</c>), so they sit with the Validate functions' own errors in one 400.
/// </summary>
public static class Annotations
{
    public static void Validate(object? request, string prefix, IDictionary<string, string[]> errors)
    {
        if (request is null) return;
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
            {
                var field = prefix + JsonNamingPolicy.CamelCase.ConvertName(member);
                if (!errors.ContainsKey(field)) errors[field] = [result.ErrorMessage ?? "Invalid."];
            }
        }
    }
}
