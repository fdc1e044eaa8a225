using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.ServiceDefaults.Http;

/// <summary>
/// Remembers that the database was just found unreachable (by a request mapped to 503). While it is remembered,
/// every request gets a deadline: a request that cannot reach the database is answered 503 within
/// <see cref="RequestBound"/> instead of waiting for a connect or command timeout. Outside an outage there is no
/// deadline at all, so a slow but healthy request (a first request compiling Marten's code) is never cut (ADR 0061).
/// </summary>
public sealed class DatabaseOutage(TimeProvider time)
{
    /// <summary>How long after the last sign of an outage requests keep their deadline.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(20);

    /// <summary>The deadline of a request during an outage.</summary>
    public static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(2);

    private long _lastSeen = long.MinValue;

    public void Seen() => Interlocked.Exchange(ref _lastSeen, time.GetUtcNow().UtcTicks);

    public bool Suspected
    {
        get
        {
            var last = Interlocked.Read(ref _lastSeen);
            return last != long.MinValue && time.GetUtcNow().UtcTicks - last < Memory.Ticks;
        }
    }
}

public static class OutageDeadline
{
    public static IApplicationBuilder UseOutageDeadline(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var outage = http.RequestServices.GetRequiredService<DatabaseOutage>();
        if (!outage.Suspected)
        {
            await next(http);
            return;
        }
        var original = http.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(original);
        deadline.CancelAfter(DatabaseOutage.RequestBound);
        http.RequestAborted = deadline.Token;
        try
        {
            await next(http);
        }
        catch (Exception) when (deadline.IsCancellationRequested && !original.IsCancellationRequested && !http.Response.HasStarted)
        {
            // Answered here rather than by the exception handler, which takes a cancelled RequestAborted for a
            // client that went away and writes nothing.
            http.RequestAborted = original;
            outage.Seen();
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = ExceptionMapping.Unavailable("The database did not answer in time; retry later with the same Idempotency-Key."),
            });
        }
        finally
        {
            http.RequestAborted = original;
        }
    });
}
