using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// Optimistic concurrency over HTTP: a stream's version is its ETag (<c>"3"</c>); commands on an existing
/// stream must send it back in If-Match. Missing → 428, unparsable → 400, stale → 412 (Marten's
/// expected-version check, mapped in <see cref="ExceptionMapping"/>).
/// </summary>
public static class Preconditions
{
    private const string ItemKey = "coordination.expected-version";

    public static string ETagOf(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    public static void SetETag(this HttpResponse response, long version) => response.Headers.ETag = ETagOf(version);

    /// <summary>Requires If-Match on this endpoint; the handler reads the version with <see cref="ExpectedVersion"/>.</summary>
    public static RouteHandlerBuilder RequireIfMatch(this RouteHandlerBuilder endpoint) => endpoint
        .AddEndpointFilter(async (context, next) =>
        {
            var header = context.HttpContext.Request.Headers.IfMatch;
            if (header.Count == 0)
            {
                return Problems.Problem(StatusCodes.Status428PreconditionRequired, "precondition-required",
                    "If-Match is required", "Send the ETag of the version you read in an If-Match header.");
            }
            if (!TryParse(header.ToString(), out var version))
            {
                return Problems.Invalid("If-Match", "Expected a strong ETag such as \"3\".");
            }
            context.HttpContext.Items[ItemKey] = version;
            return await next(context);
        })
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status428PreconditionRequired);

    public static long ExpectedVersion(this HttpContext http) =>
        http.Items.TryGetValue(ItemKey, out var v) && v is long version
            ? version
            : throw new InvalidOperationException("This endpoint does not declare RequireIfMatch().");

    private static bool TryParse(string value, out long version)
    {
        version = 0;
        if (!EntityTagHeaderValue.TryParse(value, out var tag) || tag.IsWeak) return false;
        var raw = tag.Tag.AsSpan().Trim('"');
        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }
}
