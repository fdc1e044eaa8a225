using Coordination.ServiceDefaults;

namespace Referrals.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;ReferralsApi&gt;).</summary>
public sealed class ReferralsApi
{
    public static readonly ServiceInfo Service = new("referrals", "Referrals and shared follow-up",
        "Referrals (orientations) between bodies, the contact person per body for a person, the accompaniment log and the shared follow-up view.");
}
