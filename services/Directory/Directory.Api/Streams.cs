using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;
using Marten;

namespace Directory.Api;

public static class Streams
{
    /// <summary>
    /// The stream of an existing <typeparamref name="T"/> for a command, checked against the If-Match
    /// version; null when there is no such stream (404, whatever the version sent, rather than 412).
    /// </summary>
    public static async Task<IEventStream<T>?> FetchExisting<T>(this IDocumentSession session, Guid id, long? expectedVersion,
        CancellationToken ct) where T : class
    {
        var state = await session.Events.FetchStreamStateAsync(id, ct);
        if (state is null || state.AggregateType != typeof(T)) return null;
        var stream = expectedVersion is { } version
            ? await session.Events.FetchForWriting<T>(id, version, ct)
            : await session.Events.FetchForWriting<T>(id, ct);
        return stream.Aggregate is null ? null : stream;
    }

    public static async Task<bool> Exists<T>(this IQuerySession session, Guid id, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(id, ct);
        return state is not null && state.AggregateType == typeof(T);
    }

    /// <summary>Commits a command on an existing stream and sets the new ETag; the caller answers with the fresh read model.</summary>
    public static async Task SaveAsync(this IDocumentSession session, HttpContext http, long newVersion)
    {
        session.PropagateTrace();
        await session.SaveChangesAsync(http.RequestAborted);
        http.Response.SetETag(newVersion);
    }
}
