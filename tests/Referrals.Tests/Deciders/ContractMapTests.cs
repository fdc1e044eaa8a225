using JasperFx.Events;
using Referrals.Api;
using Referrals.Api.Accompaniments;
using Referrals.Api.ContactPersons;
using Referrals.Api.Messaging;
using Referrals.Api.Referrals;
using Xunit;
using Contracts = Referrals.Contracts;

namespace Referrals.Tests.Deciders;

/// <summary>What leaves Referrals: ids, codes as DESIGN spells them and dates; never a reason, a note or a name of the person.</summary>
public sealed class ContractMapTests
{
    private static readonly ReferralsContracts Map = new();
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid R = Guid.CreateVersion7(), P = Guid.CreateVersion7(), A = Guid.CreateVersion7(), B = Guid.CreateVersion7();
    private static readonly Actor By = new("sub-1", "Sophie", A);

    private static object? ToContract(object data)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.Timestamp = At;
        return Map.ToContract(e);
    }

    [Fact]
    public void ReferralSent_IsPublishedWithCodes_AndWithoutTheReason()
    {
        var contract = ToContract(new ReferralSent(R, P, A, B, null, "famille--garde-denfants", TargetRight.PrimeActivite, "secret", Urgency.Urgent,
            new DateOnly(2026, 4, 1), null, By, At));
        Assert.Equal(new Contracts.ReferralSent(R, P, A, "sub-1", B, null, "famille--garde-denfants", "prime_activite", "urgent", new DateOnly(2026, 4, 1), null, At), contract);
    }

    [Fact]
    public void EveryTransition_IsPublished_WithItsReasonCodeOrOutcome_AndNoNote()
    {
        var n = Guid.CreateVersion7();
        Assert.Equal(new Contracts.ReferralReviewStarted(R, P, B, At), ToContract(new ReferralReviewStarted(R, P, B, By, At)));
        Assert.Equal(new Contracts.ReferralAccepted(R, P, B, At), ToContract(new ReferralAccepted(R, P, B, "note", By, At)));
        Assert.Equal(new Contracts.ReferralDeclined(R, P, B, "out_of_territory", At), ToContract(new ReferralDeclined(R, P, B, DeclineReason.OutOfTerritory, "note", By, At)));
        Assert.Equal(new Contracts.ReferralRedirected(R, P, B, n, A, "better_suited_body", At),
            ToContract(new ReferralRedirected(R, P, B, n, A, RedirectReason.BetterSuitedBody, "note", By, At)));
        Assert.Equal(new Contracts.ReferralClosed(R, P, B, "person_unreachable", "cheque_energie", At),
            ToContract(new ReferralClosed(R, P, B, ClosingOutcome.PersonUnreachable, TargetRight.ChequeEnergie, "note", By, At)));
        Assert.Equal(new Contracts.ReferralWithdrawn(R, P, A, "sent_in_error", At), ToContract(new ReferralWithdrawn(R, P, A, WithdrawReason.SentInError, "note", By, At)));
        Assert.Equal(new Contracts.ReferralExpired(R, P, B, At), ToContract(new ReferralExpired(R, P, B, new DateOnly(2026, 3, 1), At)));
    }

    [Fact]
    public void ContactPersonsAndAccompaniments_ArePublished_WithoutTheNote()
    {
        var m = Guid.CreateVersion7();
        Assert.Equal(new Contracts.ContactPersonDesignated(P, A, m, "Léa", At), ToContract(new ContactPersonDesignated(P, A, m, "Léa", By, At)));
        Assert.Equal(new Contracts.ContactPersonEnded(P, A, m, "member_left", At), ToContract(new ContactPersonEnded(P, A, m, ContactPersonEndReason.MemberLeft, null, At)));
        Assert.Equal(new Contracts.AccompanimentLogged(R, P, "sub-1", "helped_online_procedure", new DateOnly(2026, 3, 1), B, At),
            ToContract(new AccompanimentLogged(R, P, new AccompanimentAuthor("sub-1", "Marc", null, Guid.CreateVersion7()), AccompanimentKind.HelpedOnlineProcedure,
                new DateOnly(2026, 3, 1), B, "CAF", "a note", At)));
    }

    [Fact]
    public void PrivateEvents_StayInside()
    {
        Assert.Null(ToContract(new AccompanimentHidden(R, P, At)));
        Assert.Null(ToContract(new ReferralAppointmentAttended(R, Guid.CreateVersion7(), B, At)));
        Assert.Null(ToContract(new ReferralAppointmentMissed(R, Guid.CreateVersion7(), B, true, At)));
    }
}
