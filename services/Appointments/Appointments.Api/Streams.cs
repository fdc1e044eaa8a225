using Coordination.ServiceDefaults.Messaging;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Npgsql;

namespace Appointments.Api;

public static class Streams
{
    /// <summary>
    /// The stream of an existing <typeparamref name="T"/> for a command, checked against the If-Match version at
    /// commit; null when there is no such stream (404 whatever the version sent, rather than 412).
    /// </summary>
    public static async Task<IEventStream<T>?> FetchExisting<T>(this IDocumentSession session, Guid id, long expectedVersion,
        CancellationToken ct) where T : class
    {
        var state = await session.Events.FetchStreamStateAsync(id, ct);
        if (state is null || state.AggregateType != typeof(T)) return null;
        var stream = await session.Events.FetchForWriting<T>(id, expectedVersion, ct);
        return stream.Aggregate is null ? null : stream;
    }

    /// <summary>
    /// Another transaction appended to one of the streams (or started it) between our read and our commit, or held a
    /// row this one needed while waiting for one of ours: retried from the start.
    /// </summary>
    public static bool IsConcurrencyConflict(Exception e) => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException
        or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        or MartenCommandException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } }
        // Two reschedules crossing (one leaves the slot the other takes) lock the two slots' rows in opposite orders.
        or PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected }
        or MartenCommandException { InnerException: PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } };

    /// <summary>Commits a command on an existing stream with the trace, and sets the new ETag.</summary>
    public static async Task SaveAsync(this IDocumentSession session, HttpContext http, long newVersion)
    {
        session.PropagateTrace();
        await session.SaveChangesAsync(http.RequestAborted);
        http.Response.Headers.ETag = Coordination.ServiceDefaults.Http.Preconditions.ETagOf(newVersion);
    }
}
