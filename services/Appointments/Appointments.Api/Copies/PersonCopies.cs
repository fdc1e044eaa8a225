using Consents.Contracts;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;

namespace Appointments.Api.Copies;

/// <summary>The person's display name (identity category), shown under DESIGN §4 and to the receiving body's webhooks.</summary>
public sealed record PersonCopy(Guid Id, string DisplayName);

public sealed class PersonRegisteredConsumer(IDocumentSession session) : IConsumer<PersonRegistered>
{
    public async Task Consume(ConsumeContext<PersonRegistered> context)
    {
        var m = context.Message;
        // A registration that arrives after the person was erased here is kept without the name.
        var name = await PersonErasure.IsErasedAsync(session, m.PersonId, context.CancellationToken) ? Erased.Text : m.DisplayName;
        session.Store(new PersonCopy(m.PersonId, name));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
