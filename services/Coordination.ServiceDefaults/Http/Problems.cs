using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// RFC 9457 answers. A problem's <c>type</c> is a URN naming its code, so a client can branch on it
/// without parsing titles; the code is repeated as the <c>code</c> member for convenience.
/// </summary>
public static class Problems
{
    public static string TypeOf(string code) => "urn:coordination:problem:" + code;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "type", "title", "status", "detail", "instance" };

    public static ProblemHttpResult Problem(int status, string code, string title, string? detail = null,
        IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?> { ["code"] = code };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            // RFC 9457's own members cannot be extensions: a resource's "status" becomes "currentStatus".
            ext[Reserved.Contains(key) ? "current" + char.ToUpperInvariant(key[0]) + key[1..] : key] = value;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeOf(code), extensions: ext);
    }

    /// <summary>The same body for an unknown id and for a resource the caller may not know exists.</summary>
    public static ProblemHttpResult NotFound() =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "No resource with this id.");

    public static ProblemHttpResult Conflict(string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status409Conflict, code, title, detail, extensions);

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", detail);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            title: "One or more fields are invalid.", type: TypeOf("validation"));

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "One or more fields are invalid.", type: TypeOf("validation"));
}
