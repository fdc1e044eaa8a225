namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// The first answer to a creating command sent with an Idempotency-Key, stored in the same transaction as
/// the command's events so that a retry after a crash can never apply the command twice.
/// </summary>
public sealed record IdempotencyRecord(
    string Id,
    string RequestHash,
    int StatusCode,
    string? Location,
    string? ETag,
    string BodyJson,
    DateTimeOffset CreatedAt);
