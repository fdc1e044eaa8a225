using Coordination.ServiceDefaults;

namespace Referrals.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;ReferralsApi&gt;).</summary>
public sealed class ReferralsApi
{
    public const string ReferralsTag = "Referrals";
    public const string ContactPersonsTag = "Contact persons";
    public const string AccompanimentsTag = "Accompaniments";
    public const string FollowUpTag = "Shared follow-up";
    public const string StatisticsTag = "Statistics";

    /// <summary>Referrals' sessions plan each prepared statement once (ADR 0084); the benchmark's store of Referrals too.</summary>
    public const bool GenericPlans = true;

    public static readonly ServiceInfo Service = new("referrals", "Referrals and shared follow-up",
        "Referrals (orientations) between bodies, the contact person per body for a person, the accompaniment log and the shared follow-up view.")
    {
        DefaultPort = 5103,
        Tags = new Dictionary<string, string>
        {
            [ReferralsTag] = "Referrals (orientations) of a person from one body to another, from sending to closing with an outcome: " +
                "sent → in_review → accepted → closed, or declined, redirected, withdrawn, expired.",
            [ContactPersonsTag] = "The contact person (référent) each involved body designates for a person, with the dated history of handovers.",
            [AccompanimentsTag] = "The accompaniment log kept by the person's companion and involved bodies; the person may hide an entry.",
            [FollowUpTag] = "The shared follow-up of one person in one document, composed for each reader under shared professional secrecy.",
            [StatisticsTag] = "Aggregated counts without person-level data: rights actually opened after referrals.",
        },
    };
}
