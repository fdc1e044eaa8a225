using System.Diagnostics;
using Marten;

namespace Coordination.ServiceDefaults.Messaging;

public static class TraceHeaders
{
    public const string TraceParent = "traceparent";

    /// <summary>Stamps the current trace on the events appended by this session, for the outbox to continue it.</summary>
    public static void PropagateTrace(this IDocumentSession session)
    {
        if (Activity.Current is { } activity)
        {
            session.SetHeader(TraceParent, activity.Id!);
            session.CorrelationId = activity.TraceId.ToString();
        }
    }
}
