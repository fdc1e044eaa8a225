namespace Coordination.ServiceDefaults;

/// <summary>
/// What the shared wiring needs to know about one service: its name, which is also its Marten schema,
/// its OAuth scope and audience, and the prefix of its queues.
/// </summary>
public sealed record ServiceInfo(string Name, string Title, string Description)
{
    /// <summary>Descriptions of the OpenAPI tags the service's endpoints use.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The port the service listens on (loopback, plain HTTP) when nothing else is configured (`urls`,
    /// `ASPNETCORE_URLS`, `http_ports`, a Kestrel endpoint): 5100–5104, so that `dotnet run` of one service and
    /// the tokens' issuer agree with the README without any setting.
    /// </summary>
    public int DefaultPort { get; init; }

    /// <summary>
    /// Endpoints (queue and exchange, by name) of consumers the service no longer has. Their queues stay bound to the
    /// contracts' exchanges and would collect every message for ever (until RabbitMQ's disk or memory alarm stops all
    /// publishing), so the topology step deletes them. A message left in one is also in the queue of the consumer that
    /// took its work over, bound to the same exchange.
    /// </summary>
    public IReadOnlyList<string> RetiredEndpoints { get; init; } = [];

    public string Schema => Name;
    public string Scope => Name;
    public string Audience => Name;
    public string QueuePrefix => Name;
}
