using Consents.Contracts;
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
        session.Store(new PersonCopy(m.PersonId, m.DisplayName));
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
