using Coordination.ServiceDefaults.Messaging;
using Directory.Contracts;
using Marten;
using MassTransit;
using Referrals.Api.ContactPersons.Designating;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;

namespace Referrals.Api.ContactPersons.Ending;

/// <summary>
/// A member who leaves their body stops being anyone's contact person there: each of their current
/// designations ends with member_left (published as ContactPersonEnded). The member copy is updated in the
/// same transaction; a designation racing with it conflicts on that copy and one of them is retried.
/// </summary>
public sealed class MemberLeftConsumer(IDocumentSession session, TimeProvider time, ILogger<MemberLeftConsumer> logger)
    : IdempotentConsumer<MemberLeft>(session, time)
{
    protected override async Task Handle(MemberLeft m, ConsumeContext<MemberLeft> context)
    {
        var ct = context.CancellationToken;
        var current = await Session.LoadAsync<MemberCopy>(m.MemberId, ct);
        Session.Store(current is null
            ? new MemberCopy(m.MemberId, m.BodyId, "", "", null, m.On, false, m.OccurredAt)
            : current with { LeftOn = current.LeftOn ?? m.On });

        var designations = await Session.Query<ContactPersonHistory>().Where(h => h.CurrentMemberId == m.MemberId).ToListAsync(ct);
        foreach (var designation in designations)
        {
            var stream = await Session.Events.FetchForWriting<ContactPerson>(designation.Id, ct);
            if (stream.Aggregate is null) continue;
            var decided = ContactPersonDecider.OnMemberLeft(stream.Aggregate, m.MemberId, m.OccurredAt);
            stream.AppendMany(decided.Events);
            await ContactPersonFacts.WriteAsync(Session, decided.Events, ct);
        }
        if (designations.Count > 0) logger.LogInformation("Member {MemberId} left: {Count} contact-person designations ended", m.MemberId, designations.Count);
    }
}
