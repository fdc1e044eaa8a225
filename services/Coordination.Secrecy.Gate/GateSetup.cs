using Coordination.Secrecy.Gate.Audit;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.Secrecy.Gate;

[Flags]
public enum CopySet
{
    Grants = 1,
    Companions = 2,
    Bodies = 4,
    RegistrationInvolvement = 8,
    ReferralInvolvement = 16,
    ContactPersonInvolvement = 32,
    AppointmentInvolvement = 64,
}

public static class GateSetup
{
    /// <summary>
    /// The copy documents (indexed by person) and the access-log event type. Consents, which owns grants and
    /// companions, writes their documents with its own inline projections (<paramref name="ownsConsents"/>):
    /// those are versioned by Marten's projection machinery instead of optimistic concurrency.
    /// </summary>
    public static void AddSecrecyGate(this StoreOptions options, bool ownsConsents = false)
    {
        var grants = options.Schema.For<GrantCopy>().Index(g => g.PersonId);
        var companions = options.Schema.For<CompanionCopy>().Index(c => c.PersonId);
        if (!ownsConsents)
        {
            grants.UseOptimisticConcurrency(true);
            companions.UseOptimisticConcurrency(true);
        }
        options.Schema.For<InvolvementRecord>().Index(i => i.PersonId).UseOptimisticConcurrency(true);
        options.Schema.For<BodyCopy>().Index(b => b.Sensitive).UseOptimisticConcurrency(true);
        options.Schema.For<ErasedPerson>().Index(e => e.CompletedAt);
        options.Events.AddEventType<PersonDataRead>();
        // A reader who is a person (the person themself, a companion with a login) is named by their own token: on
        // erasure that name goes; professionals' names stay, they are the accountability of the access log.
        options.Events.AddMaskingRuleForProtectedInformation<PersonDataRead>(e =>
            e.ReaderRole == Erased.PersonRole ? e with { ReaderDisplayName = Erased.Text } : e);
    }

    public static IServiceCollection AddSecrecyGate(this IServiceCollection services) => services.AddScoped<SecrecyGate>();

    /// <summary>
    /// Registers the copy consumers a service needs: a service never consumes the contracts it publishes
    /// itself (it writes those facts in its own transactions with <see cref="Involvements"/>).
    /// </summary>
    public static void AddCopyConsumers(this IRegistrationConfigurator bus, CopySet copies)
    {
        if (copies.HasFlag(CopySet.Grants)) bus.AddConsumer<GrantCopyConsumer>();
        if (copies.HasFlag(CopySet.Companions)) bus.AddConsumer<CompanionCopyConsumer>();
        if (copies.HasFlag(CopySet.Bodies)) bus.AddConsumer<BodyCopyConsumer>();
        if (copies.HasFlag(CopySet.RegistrationInvolvement)) bus.AddConsumer<RegistrationInvolvementConsumer>();
        if (copies.HasFlag(CopySet.ReferralInvolvement)) bus.AddConsumer<ReferralInvolvementConsumer>();
        if (copies.HasFlag(CopySet.ContactPersonInvolvement)) bus.AddConsumer<ContactPersonInvolvementConsumer>();
        if (copies.HasFlag(CopySet.AppointmentInvolvement)) bus.AddConsumer<AppointmentInvolvementConsumer>();
    }
}
