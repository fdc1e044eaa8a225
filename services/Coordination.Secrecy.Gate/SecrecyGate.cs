using Coordination.Secrecy.Gate.Audit;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coordination.Secrecy.Gate;

/// <summary>
/// Per request: who reads (from the token), the facts about a person (from the local copies), the decision
/// (from <see cref="SecrecyRules"/>), and the access-log event appended to the request's session. The caller
/// commits the session, so the read and its log entry are one transaction.
/// </summary>
public sealed class SecrecyGate(IDocumentSession session, Caller caller, ServiceInfo service, TimeProvider time, IHttpContextAccessor http)
{
    public Reader Reader { get; } = new(caller.Subject, caller.Role, caller.BodyId, caller.PersonId);

    public Caller Caller => caller;

    public DateTimeOffset Now => time.GetUtcNow();

    public Task<PersonFacts> FactsAsync(Guid personId, CancellationToken ct) => PersonFactsLoader.LoadAsync(session, personId, ct);

    public Decision Decide(PersonFacts facts, string category, Item? item = null) => SecrecyRules.Decide(Reader, facts, category, Now, item);

    /// <summary>
    /// Appends the access-log event for one read of a person's data. <paramref name="basis"/> is the decision's
    /// basis, or <c>denied</c> when nothing was shown.
    /// </summary>
    public Guid RecordRead(Guid personId, IEnumerable<string> shown, IEnumerable<string> withheld, string basis, Guid? consentId)
    {
        var accessId = Guid.CreateVersion7();
        var context = http.HttpContext;
        var route = context is null ? "" : $"{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path}";
        session.Events.StartStream<PersonDataRead>(accessId, new PersonDataRead(accessId, personId, caller.Subject,
            caller.DisplayName ?? caller.Subject, caller.BodyId, caller.Role, service.Name, route,
            shown.Distinct().Order(StringComparer.Ordinal).ToArray(), withheld.Distinct().Order(StringComparer.Ordinal).ToArray(), basis, consentId));
        return accessId;
    }

    /// <summary>Records a denied read (everything asked for withheld).</summary>
    public Guid RecordDenied(Guid personId, IEnumerable<string> asked) => RecordRead(personId, [], asked, Bases.Denied, null);
}
