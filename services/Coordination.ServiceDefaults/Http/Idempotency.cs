using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// Idempotency-Key on creating commands: the same key and body within 24 h give the first answer again; the
/// same key with another body gives 409. The key is scoped to the caller and the route. The first answer is
/// stored by <see cref="Commit.CreatedAsync"/> in the same transaction as the command's events, so a
/// command that committed is never applied a second time, even if the answer was lost.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public static RouteHandlerBuilder AcceptsIdempotencyKey(this RouteHandlerBuilder endpoint) => endpoint
        .AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var key = http.Request.Headers[Header].ToString();
            if (string.IsNullOrEmpty(key)) return await next(context);
            if (key.Length > 255) return Problems.Invalid(Header, "At most 255 characters.");

            var scope = http.RequestServices.GetRequiredService<IdempotencyScope>();
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            scope.RecordId = RecordId(http, key);
            scope.RequestHash = await HashBody(http);

            var query = http.RequestServices.GetRequiredService<IQuerySession>();
            var existing = await query.LoadAsync<IdempotencyRecord>(scope.RecordId, http.RequestAborted);
            if (existing is not null)
            {
                if (time.GetUtcNow() - existing.CreatedAt < Window) return Replay(existing, scope.RequestHash);
                scope.ReplacesExpired = true;
            }
            return await next(context);
        });

    internal static IResult Replay(IdempotencyRecord record, string requestHash)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return Problems.Conflict("idempotency-key-reused", "Idempotency-Key already used",
                "This Idempotency-Key was used with another request body in the last 24 hours.");
        }
        return new ReplayResult(record);
    }

    private static string RecordId(HttpContext http, string key)
    {
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value;
        var subject = http.User.FindFirst("sub")?.Value ?? "anonymous";
        var raw = $"{subject}\n{http.Request.Method}\n{route}\n{key}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
    }

    private static async Task<string> HashBody(HttpContext http)
    {
        // The body was buffered by UseIdempotencyBuffering before model binding read it.
        if (!http.Request.Body.CanSeek) return "";
        http.Request.Body.Position = 0;
        var hash = await SHA256.HashDataAsync(http.Request.Body, http.RequestAborted);
        http.Request.Body.Position = 0;
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Buffers the body of requests that carry an Idempotency-Key so the filter can hash it.</summary>
    public static IApplicationBuilder UseIdempotencyBuffering(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Headers.ContainsKey(Header)) http.Request.EnableBuffering();
        await next(http);
    });

    private sealed class ReplayResult(IdempotencyRecord record) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = record.StatusCode;
            if (record.Location is not null) http.Response.Headers.Location = record.Location;
            if (record.ETag is not null) http.Response.Headers.ETag = record.ETag;
            http.Response.Headers["Idempotent-Replayed"] = "true";
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync(record.BodyJson, http.RequestAborted);
        }
    }
}

/// <summary>Per request: the idempotency record this command must write, if it came with a key.</summary>
public sealed class IdempotencyScope
{
    public string? RecordId { get; set; }
    public string RequestHash { get; set; } = "";
    public bool ReplacesExpired { get; set; }
}

public static class Commit
{
    /// <summary>
    /// Commits a creating command and answers 201 with Location (and ETag when the command started a
    /// stream). With an Idempotency-Key the answer is stored in the same transaction.
    /// </summary>
    public static async Task<IResult> CreatedAsync(this IDocumentSession session, HttpContext http, string location,
        object body, long? version = null)
    {
        var scope = http.RequestServices.GetRequiredService<IdempotencyScope>();
        var etag = version is { } v ? Preconditions.ETagOf(v) : null;
        session.RememberAnswer(http, StatusCodes.Status201Created, location, body, etag);
        session.PropagateTrace();
        try
        {
            await session.SaveChangesAsync(http.RequestAborted);
        }
        catch (DocumentAlreadyExistsException e) when (e.DocType == typeof(IdempotencyRecord) && scope.RecordId is not null)
        {
            // A concurrent request with the same key committed first; nothing of ours was written.
            var query = http.RequestServices.GetRequiredService<IDocumentStore>().QuerySession();
            await using (query)
            {
                var winner = await query.LoadAsync<IdempotencyRecord>(scope.RecordId, http.RequestAborted);
                if (winner is not null) return Idempotency.Replay(winner, scope.RequestHash);
            }
            throw;
        }
        if (etag is not null) http.Response.Headers.ETag = etag;
        return TypedResults.Created(location, body);
    }

    /// <summary>
    /// With an Idempotency-Key, stores the answer a replay of this request gets, in the session's transaction: it is
    /// kept exactly when the command is. Without a key, does nothing.
    /// </summary>
    public static void RememberAnswer(this IDocumentSession session, HttpContext http, int status, string location, object body,
        string? etag = null)
    {
        var scope = http.RequestServices.GetRequiredService<IdempotencyScope>();
        if (scope.RecordId is not { } recordId) return;
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var record = new IdempotencyRecord(recordId, scope.RequestHash, status, location, etag,
            JsonSerializer.Serialize(body, body.GetType(), json), http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        if (scope.ReplacesExpired) session.Store(record);
        else session.Insert(record);
    }

    /// <summary>Commits a command on an existing stream and answers 200 with the new ETag and a body.</summary>
    public static async Task<IResult> UpdatedAsync(this IDocumentSession session, HttpContext http, long newVersion, object body)
    {
        session.PropagateTrace();
        await session.SaveChangesAsync(http.RequestAborted);
        http.Response.SetETag(newVersion);
        return TypedResults.Ok(body);
    }
}
