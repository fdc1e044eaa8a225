using Coordination.ServiceDefaults;

namespace Consents.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;ConsentsApi&gt;).</summary>
public sealed class ConsentsApi
{
    public static readonly ServiceInfo Service = new("consents", "Consents",
        "The person's record, the consent ledger, chosen companions, activation codes and the access log.")
    {
        DefaultPort = 5102,
    };
}
