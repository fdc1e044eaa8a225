using System.Globalization;
using Coordination.ServiceDefaults.Http;
using Microsoft.Net.Http.Headers;

namespace Referrals.Api.Access;

/// <summary>
/// If-Match for a PUT that may create its resource: the first designation has no version to send, every later
/// one must send the current ETag (missing → 428, stale → 412), as <see cref="Preconditions"/> does for commands
/// on an existing stream.
/// </summary>
public static class Versions
{
    public static IResult? Check(HttpContext http, long? currentVersion)
    {
        var header = http.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return currentVersion is null ? null : Problems.Problem(StatusCodes.Status428PreconditionRequired, "precondition-required",
                "If-Match is required", "Send the ETag of the version you read in an If-Match header.");
        }
        if (!EntityTagHeaderValue.TryParse(header.ToString(), out var tag) || tag.IsWeak
            || !long.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            return Problems.Invalid("If-Match", "Expected a strong ETag such as \"3\".");
        }
        return version == currentVersion ? null : Problems.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed",
            "The resource changed since you read it", "Read it again and retry with its current ETag.");
    }
}
