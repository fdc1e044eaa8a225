using Appointments.Contracts;
using Consents.Contracts;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Privacy;
using Directory.Contracts;
using Marten;
using MassTransit;
using Referrals.Contracts;

namespace Coordination.Secrecy.Gate.Copies;

// Consumers of the copies. Each merges its message into a copy keyed by the message's natural id, so a
// redelivery changes nothing and the order of arrival does not matter; they need no inbox.

public sealed class GrantCopyConsumer(IDocumentSession session) :
    IConsumer<ConsentGranted>, IConsumer<ConsentRevoked>, IConsumer<ConsentExpired>
{
    public async Task Consume(ConsumeContext<ConsentGranted> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<GrantCopy>(m.ConsentId, context.CancellationToken);
        if (current is { Known: true }) return;
        session.Store(new GrantCopy(m.ConsentId, m.PersonId, m.BodyId, m.Categories, m.Purpose, m.ValidFrom, m.ValidUntil,
            current?.RevokedAt, current?.ExpiredAt, Known: true));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ConsentRevoked> context) =>
        End(context.Message.ConsentId, context.Message.PersonId, context.Message.BodyId, revokedAt: context.Message.OccurredAt, null, context.CancellationToken);

    public Task Consume(ConsumeContext<ConsentExpired> context) =>
        End(context.Message.ConsentId, context.Message.PersonId, context.Message.BodyId, null, expiredAt: context.Message.OccurredAt, context.CancellationToken);

    private async Task End(Guid consentId, Guid personId, Guid bodyId, DateTimeOffset? revokedAt, DateTimeOffset? expiredAt, CancellationToken ct)
    {
        var current = await session.LoadAsync<GrantCopy>(consentId, ct)
            // The end arrived first: keep it, closed, until the grant itself arrives.
            ?? new GrantCopy(consentId, personId, bodyId, [], Purposes.RightsReview, DateTimeOffset.MinValue, DateTimeOffset.MinValue, null, null, Known: false);
        var updated = current with { RevokedAt = current.RevokedAt ?? revokedAt, ExpiredAt = current.ExpiredAt ?? expiredAt };
        if (updated == current) return;
        session.Store(updated);
        await session.SaveChangesAsync(ct);
    }
}

public sealed class CompanionCopyConsumer(IDocumentSession session) : IConsumer<CompanionChosen>, IConsumer<CompanionRemoved>
{
    public async Task Consume(ConsumeContext<CompanionChosen> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<CompanionCopy>(m.CompanionId, context.CancellationToken);
        if (current is { Known: true }) return;
        // A choice that arrives after the person was erased here is kept without the name.
        var name = await PersonErasure.IsErasedAsync(session, m.PersonId, context.CancellationToken) ? Erased.Text : m.DisplayName;
        session.Store(new CompanionCopy(m.CompanionId, m.PersonId, m.UserSubject, name, m.Relationship, m.AttendsAppointments,
            m.ReceivesNotifications, m.Categories, m.ValidUntil, current?.RemovedAt, Known: true));
        await session.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<CompanionRemoved> context)
    {
        var m = context.Message;
        var current = await session.LoadAsync<CompanionCopy>(m.CompanionId, context.CancellationToken)
            ?? new CompanionCopy(m.CompanionId, m.PersonId, null, "", "", false, false, [], null, null, Known: false);
        if (current.RemovedAt is not null) return;
        session.Store(current with { RemovedAt = m.OccurredAt });
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class BodyCopyConsumer(IDocumentSession session) : IConsumer<BodyRegistered>, IConsumer<BodyUpdated>
{
    public Task Consume(ConsumeContext<BodyRegistered> context)
    {
        var m = context.Message;
        return Upsert(new BodyCopy(m.BodyId, m.Name, m.Kind, m.CommuneInsee, m.TerritoryCodes, m.Sensitive, m.OccurredAt), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<BodyUpdated> context)
    {
        var m = context.Message;
        return Upsert(new BodyCopy(m.BodyId, m.Name, m.Kind, m.CommuneInsee, m.TerritoryCodes, m.Sensitive, m.OccurredAt), context.CancellationToken);
    }

    /// <summary>An older message never overwrites a newer copy.</summary>
    private async Task Upsert(BodyCopy copy, CancellationToken ct)
    {
        var current = await session.LoadAsync<BodyCopy>(copy.Id, ct);
        if (current is not null && current.AsOf >= copy.AsOf) return;
        session.Store(copy);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>The body that registered a person is involved with them.</summary>
public sealed class RegistrationInvolvementConsumer(IDocumentSession session) : IConsumer<PersonRegistered>
{
    public async Task Consume(ConsumeContext<PersonRegistered> context)
    {
        var m = context.Message;
        await Involvements.Involve(session, m.PersonId, m.RegisteredByBodyId, InvolvementKind.Registered, null, m.OccurredAt, context.CancellationToken);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>Sender and receiver of a referral are involved; a decline or an expiry narrows the receiver to that referral.</summary>
public sealed class ReferralInvolvementConsumer(IDocumentSession session) :
    IConsumer<ReferralSent>, IConsumer<ReferralRedirected>, IConsumer<ReferralDeclined>, IConsumer<ReferralExpired>
{
    public Task Consume(ConsumeContext<ReferralSent> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session,
        [
            InvolvementFact.Involved(m.PersonId, m.FromBodyId, InvolvementKind.ReferralSender, m.ReferralId, m.OccurredAt),
            InvolvementFact.Involved(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt),
        ], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralRedirected> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session,
        [
            InvolvementFact.Involved(m.PersonId, m.RedirectingBodyId, InvolvementKind.ReferralSender, m.NewReferralId, m.OccurredAt),
            InvolvementFact.Involved(m.PersonId, m.NewToBodyId, InvolvementKind.ReferralReceiver, m.NewReferralId, m.OccurredAt),
        ], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralDeclined> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session,
            [InvolvementFact.RestrictedToItem(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt)],
            context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ReferralExpired> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session,
            [InvolvementFact.RestrictedToItem(m.PersonId, m.ToBodyId, InvolvementKind.ReferralReceiver, m.ReferralId, m.OccurredAt)],
            context.CancellationToken);
    }
}

public sealed class ContactPersonInvolvementConsumer(IDocumentSession session) :
    IConsumer<ContactPersonDesignated>, IConsumer<ContactPersonEnded>
{
    public Task Consume(ConsumeContext<ContactPersonDesignated> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session, [InvolvementFact.ContactPerson(m.PersonId, m.BodyId, m.MemberId, active: true, m.OccurredAt)],
            context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ContactPersonEnded> context)
    {
        var m = context.Message;
        return Involvements.CommitAsync(session, [InvolvementFact.ContactPerson(m.PersonId, m.BodyId, m.MemberId, active: false, m.OccurredAt)],
            context.CancellationToken);
    }
}

/// <summary>The body hosting an appointment and the body that booked it are involved.</summary>
public sealed class AppointmentInvolvementConsumer(IDocumentSession session) : IConsumer<AppointmentBooked>
{
    public async Task Consume(ConsumeContext<AppointmentBooked> context)
    {
        var m = context.Message;
        List<InvolvementFact> involved = [InvolvementFact.Involved(m.PersonId, m.BodyId, InvolvementKind.AppointmentHost, m.AppointmentId, m.OccurredAt)];
        if (m.BookedByBodyId is { } booker)
        {
            involved.Add(InvolvementFact.Involved(m.PersonId, booker, InvolvementKind.AppointmentBooker, m.AppointmentId, m.OccurredAt));
        }
        await Involvements.CommitAsync(session, involved, context.CancellationToken);
    }
}
