using Coordination.ServiceDefaults.Security;

namespace Consents.Api.Access;

/// <summary>
/// Who did something, as their token said at the time. Kept in the ledger so the person sees who recorded a
/// consent, a revocation or a companion, under which role and for which body.
/// </summary>
public sealed record Actor(string Subject, string Role, string Name, Guid? BodyId)
{
    public static Actor Of(Caller caller) => new(caller.Subject, caller.Role, caller.DisplayName ?? caller.Subject, caller.BodyId);

    /// <summary>Consents itself, when a rule acts without anyone asking (the retention limit).</summary>
    public static readonly Actor System = new("consents", "system", "Consents (retention)", null);
}
