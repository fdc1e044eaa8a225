namespace Coordination.ServiceDefaults.Messaging;

/// <summary>A consumed message id, written in the consumer's own transaction (the inbox).</summary>
public sealed record InboxEntry(Guid Id, string MessageType, DateTimeOffset ReceivedAt);
