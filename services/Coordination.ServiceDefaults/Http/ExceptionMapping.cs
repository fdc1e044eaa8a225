using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Coordination.ServiceDefaults.Persistence;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// Turns what a client can cause (malformed JSON, wrong types, a body over the limit, a stale version) and
/// what an outage causes (the database unreachable) into Problem Details. Anything else is a 500 — a bug.
/// </summary>
public sealed partial class ExceptionMapping(IProblemDetailsService problems, DatabaseOutage outage, ILogger<ExceptionMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem is null) return false;
        if (problem.Status >= 500)
        {
            // From now on for a while, requests are bounded so that they are answered 503 quickly (ADR 0061).
            outage.Seen();
            logger.LogWarning(exception, "Request failed on a dependency: {Problem}", problem.Title);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails? Map(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => JsonProblem(json),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            Make(413, "payload-too-large", "Request body too large", bad.Message),
        BadHttpRequestException bad when ParameterOf(bad.Message) is { } parameter =>
            new ValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [bad.Message] })
            {
                Status = 400,
                Title = "One or more fields are invalid.",
                Type = Problems.TypeOf("validation"),
            },
        BadHttpRequestException bad => Make(bad.StatusCode, "bad-request", "Bad request", bad.Message),
        // The form reader's limits (a key over 2 KB, too many values), hit before any binding, e.g. by antiforgery.
        InvalidDataException data => Make(400, "bad-request", "Bad request", data.Message),
        JsonException json => JsonProblem(json),
        EventStreamUnexpectedMaxEventIdException or ConcurrencyException =>
            Make(412, "precondition-failed", "The resource changed since you read it", "Read it again and retry with its current ETag."),
        Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException => Make(409, "already-exists", "Already exists", "A resource with this id already exists."),
        TimeoutException => Unavailable("The database cannot be reached; retry later with the same Idempotency-Key."),
        _ when TransientFailures.IsDatabaseOutage(exception) => Unavailable("The database cannot be reached; retry later with the same Idempotency-Key."),
        OperationCanceledException => Make(503, "unavailable", "Service temporarily unavailable", "The request did not complete in time."),
        _ => null,
    };

    /// <summary>
    /// The parameter named by ASP.NET Core's binding failures: <c>Failed to bind parameter "int page" from "x".</c>
    /// and <c>Required parameter "Guid personId" was not provided from query string.</c>
    /// </summary>
    private static string? ParameterOf(string message)
    {
        var match = BindingFailure().Match(message);
        return match.Success ? match.Groups["name"].Value : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("(?:Failed to bind parameter|Required parameter) \"[^\" ]+ (?<name>[^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex BindingFailure();

    private static ValidationProblemDetails JsonProblem(JsonException json)
    {
        var field = JsonPath.ToField(json.Path);
        var message = json.Path is null ? "The body is not valid JSON." : "This value has the wrong type or format.";
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "One or more fields are invalid.",
            Type = Problems.TypeOf("validation"),
        };
    }

    internal static ProblemDetails Unavailable(string detail) => Make(503, "unavailable", "Service temporarily unavailable", detail);

    private static ProblemDetails Make(int status, string code, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = Problems.TypeOf(code),
        Extensions = { ["code"] = code },
    };
}

public static class JsonPath
{
    /// <summary><c>$.address.communeInsee</c> → <c>address.communeInsee</c>; the root → <c>$</c>.</summary>
    public static string ToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "$";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
