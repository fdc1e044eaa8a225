using System.Net.Sockets;
using Npgsql;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// Tells an infrastructure outage (the database refused, reset or timed out a connection, or is shutting down or
/// starting up) from a fault of the message or request itself (a constraint violation, a bug). An outage passes:
/// it is answered 503 over HTTP and retried for minutes by consumers; a real fault is not retried for long.
/// </summary>
public static class TransientFailures
{
    /// <summary>True when the exception, or any exception inside it, says the database could not be reached.</summary>
    public static bool IsDatabaseOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Npgsql's own notion: connection-level failures, timeouts and the server's shutdown/startup states
                // (57P01-57P03, 08xxx, 53xxx). A unique violation or a syntax error is not transient.
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                // A connection dropped in the middle of a transaction leaves Npgsql's transaction object disposed.
                case ObjectDisposedException { ObjectName: "NpgsqlTransaction" or "NpgsqlConnection" }:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsDatabaseOutage):
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A failure worth retrying at once inside one operation: a refused or reset connection (each try fails fast).
    /// Not a timeout: it already used the whole budget, and retrying it would keep a request waiting for a multiple
    /// of the connect timeout.
    /// </summary>
    public static bool IsQuickRetry(Exception exception) => IsDatabaseOutage(exception) && !IsTimeout(exception);

    private static bool IsTimeout(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException) return true;
        }
        return false;
    }
}
