using Coordination.Secrecy;
using Xunit;
using static Coordination.Secrecy.Categories;

namespace Secrecy.Tests;

/// <summary>DESIGN §4, row by row and column by column, without a host.</summary>
public sealed class SecrecyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid X = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly Guid Other = Guid.Parse("00000000-0000-0000-0000-0000000000bb");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Guid C = Guid.Parse("00000000-0000-0000-0000-000000000002");
    private static readonly Guid Sensitive = Guid.Parse("00000000-0000-0000-0000-000000000003");
    private static readonly Guid Referral = Guid.Parse("00000000-0000-0000-0000-000000000101");

    private static Grant FullGrant(Guid body, string purpose = Purposes.FollowUpCoordination, DateTimeOffset? revoked = null,
        DateTimeOffset? until = null, params string[] categories) =>
        new(Guid.NewGuid(), body, (categories.Length == 0 ? All : categories).ToHashSet(), purpose,
            Now.AddMonths(-1), until ?? Now.AddMonths(11), revoked);

    private static PersonFacts Facts(IEnumerable<Grant>? grants = null, IEnumerable<Involvement>? involvements = null,
        IEnumerable<CompanionGrant>? companions = null, IEnumerable<Guid>? sensitive = null) =>
        new(X, (grants ?? []).ToList(), (companions ?? []).ToList(), (involvements ?? []).ToList(), (sensitive ?? []).ToHashSet());

    private static Reader Pro(string role, Guid body, string subject = "pro") => new(subject, role, body, null);

    public static TheoryData<string, string, bool> Table()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["social_worker"] = [Identity, Orientation, OrientationDetails, Contacts, Companion, Appointments, Accompaniment],
            ["coordinator"] = [Identity, Orientation, OrientationDetails, Contacts, Companion, Appointments, Accompaniment],
            ["france_services_adviser"] = [Identity, Orientation, Contacts, Companion, Appointments],
            ["mairie_secretary"] = [Identity, Orientation, Contacts, Companion, Appointments],
            ["peer_worker"] = [Identity, Contacts, Companion, Appointments, Accompaniment],
            ["volunteer"] = [Identity, Contacts, Companion, Appointments, Accompaniment],
            ["admin"] = [],
            ["partner_system"] = [],
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var (role, allowed) in expected)
        {
            foreach (var category in All) data.Add(role, category, allowed.Contains(category));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void GivenInvolvedBodyWithFullGrant_WhenRoleReadsCategory_ThenTheTableDecides(string role, string category, bool allowed)
    {
        var grant = FullGrant(B);
        var facts = Facts([grant], [new Involvement(B, InvolvementKind.Registered)]);

        var decision = SecrecyRules.Decide(Pro(role, B), facts, category, Now);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? Bases.Consent : Bases.Denied, decision.Basis);
        Assert.Equal(allowed ? grant.ConsentId : null, decision.ConsentId);
    }

    [Theory]
    [InlineData(Identity)]
    [InlineData(Orientation)]
    [InlineData(Accompaniment)]
    public void GivenAnyFacts_WhenThePersonReadsThemself_ThenSelf(string category)
    {
        var decision = SecrecyRules.Decide(new Reader("p", "person", null, X), Facts(), category, Now);
        Assert.True(decision.Allowed);
        Assert.Equal(Bases.Self, decision.Basis);
    }

    [Fact]
    public void GivenAnotherPerson_WhenTheyRead_ThenDenied()
    {
        var decision = SecrecyRules.Decide(new Reader("q", "person", null, Other), Facts(), Identity, Now);
        Assert.False(decision.Allowed);
    }

    [Fact]
    public void GivenGrantButNoInvolvement_WhenProfessionalReads_ThenDenied()
    {
        var facts = Facts([FullGrant(B)], [new Involvement(C, InvolvementKind.Registered)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenInvolvementButNoGrant_WhenProfessionalReads_ThenDenied()
    {
        var facts = Facts([FullGrant(C)], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenGrantMissingTheCategory_WhenProfessionalReads_ThenDenied()
    {
        var facts = Facts([FullGrant(B, categories: [Identity, Orientation])], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.True(SecrecyRules.Decide(Pro("social_worker", B), facts, Orientation, Now).Allowed);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, OrientationDetails, Now).Allowed);
    }

    [Fact]
    public void GivenRevokedGrant_WhenProfessionalReads_ThenDenied()
    {
        var facts = Facts([FullGrant(B, revoked: Now.AddMinutes(-1))], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenGrantExpiredAtItsUntil_WhenProfessionalReads_ThenDeniedEvenBeforeTheExpiryEvent()
    {
        var facts = Facts([FullGrant(B, until: Now)], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
        Assert.True(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now.AddSeconds(-1)).Allowed);
    }

    [Fact]
    public void GivenGrantNotYetValid_WhenProfessionalReads_ThenDenied()
    {
        var grant = FullGrant(B) with { ValidFrom = Now.AddDays(1) };
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), Facts([grant], [new Involvement(B, InvolvementKind.Registered)]), Identity, Now).Allowed);
    }

    [Theory]
    [InlineData(Identity, true)]
    [InlineData(Companion, true)]
    [InlineData(Appointments, true)]
    [InlineData(Orientation, false)]
    [InlineData(Contacts, false)]
    public void GivenBookingPurposeGrantListingEverything_WhenAdviserReads_ThenOnlyTheCategoriesOfABooking(string category, bool allowed)
    {
        var facts = Facts([FullGrant(B, Purposes.AppointmentBooking)], [new Involvement(B, InvolvementKind.AppointmentBooker, Guid.NewGuid())]);
        Assert.Equal(allowed, SecrecyRules.Decide(Pro("france_services_adviser", B), facts, category, Now).Allowed);
    }

    [Theory]
    [InlineData(Identity)]
    [InlineData(Orientation)]
    [InlineData(Appointments)]
    public void GivenRightsReviewGrant_WhenProfessionalReads_ThenDenied(string category)
    {
        var facts = Facts([FullGrant(B, Purposes.RightsReview)], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, category, Now).Allowed);
    }

    [Theory]
    [InlineData(InvolvementKind.Registered)]
    [InlineData(InvolvementKind.ReferralSender)]
    [InlineData(InvolvementKind.ReferralReceiver)]
    [InlineData(InvolvementKind.AppointmentHost)]
    [InlineData(InvolvementKind.AppointmentBooker)]
    [InlineData(InvolvementKind.ContactPerson)]
    public void GivenEachKindOfInvolvement_WhenProfessionalReads_ThenAllowed(InvolvementKind kind)
    {
        var facts = Facts([FullGrant(B)], [new Involvement(B, kind, Guid.NewGuid())]);
        Assert.True(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenContactPersonEnded_WhenItWasTheOnlyInvolvement_ThenDenied()
    {
        var facts = Facts([FullGrant(B)], [new Involvement(B, InvolvementKind.ContactPerson, Active: false)]);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenDeclinedReferral_WhenReceiverReadsThatReferral_ThenAllowed_ButNotThePersonAsAWhole()
    {
        var referral = Item.Referral(Referral, C, B);
        var facts = Facts([FullGrant(B)], [new Involvement(B, InvolvementKind.ReferralReceiver, Referral, ItemOnly: true)]);

        Assert.True(SecrecyRules.Decide(Pro("social_worker", B), facts, Orientation, Now, referral).Allowed);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Orientation, Now, Item.Referral(Guid.NewGuid(), C, B)).Allowed);
    }

    [Fact]
    public void GivenReferralToSensitiveBody_WhenAThirdInvolvedBodyReads_ThenDeniedWhateverItsGrant()
    {
        var referral = Item.Referral(Referral, C, Sensitive);
        var facts = Facts([FullGrant(B), FullGrant(C), FullGrant(Sensitive)],
            [new Involvement(B, InvolvementKind.Registered), new Involvement(C, InvolvementKind.ReferralSender, Referral),
             new Involvement(Sensitive, InvolvementKind.ReferralReceiver, Referral)], sensitive: [Sensitive]);

        Assert.False(SecrecyRules.Decide(Pro("social_worker", B), facts, Orientation, Now, referral).Allowed);
        Assert.True(SecrecyRules.Decide(Pro("social_worker", C), facts, Orientation, Now, referral).Allowed);
        Assert.True(SecrecyRules.Decide(Pro("social_worker", Sensitive), facts, Orientation, Now, referral).Allowed);
        Assert.True(SecrecyRules.Decide(new Reader("x", "person", null, X), facts, Orientation, Now, referral).Allowed);
        // The person's other data is not sensitive: B still reads it.
        Assert.True(SecrecyRules.Decide(Pro("social_worker", B), facts, Identity, Now).Allowed);
    }

    [Fact]
    public void GivenAppointmentAtSensitiveBody_WhenCompanionWithAppointmentsReads_ThenDenied()
    {
        var appointment = Item.Appointment(Guid.NewGuid(), Sensitive, B);
        var companion = new CompanionGrant(Guid.NewGuid(), "peer", new HashSet<string> { Appointments });
        var facts = Facts(companions: [companion], sensitive: [Sensitive]);

        Assert.False(SecrecyRules.Decide(new Reader("peer", "peer_worker", C, null), facts, Appointments, Now, appointment).Allowed);
        Assert.True(SecrecyRules.Decide(new Reader("peer", "peer_worker", C, null), facts, Appointments, Now, Item.Appointment(Guid.NewGuid(), B, null)).Allowed);
    }

    [Theory]
    [InlineData(Orientation, true)]
    [InlineData(Appointments, true)]
    [InlineData(OrientationDetails, false)]
    [InlineData(Identity, false)]
    public void GivenCompanionGrantedSomeCategories_WhenCompanionReads_ThenExactlyThose(string category, bool allowed)
    {
        // A peer worker sees orientation only this way: their role alone never opens it.
        var companion = new CompanionGrant(Guid.NewGuid(), "peer", new HashSet<string> { Orientation, Appointments });
        var facts = Facts(companions: [companion]);

        var decision = SecrecyRules.Decide(new Reader("peer", "peer_worker", C, null), facts, category, Now);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? Bases.Companion : Bases.Denied, decision.Basis);
    }

    [Fact]
    public void GivenCompanionRemovedOrPastEndDate_WhenCompanionReads_ThenDenied()
    {
        var removed = new CompanionGrant(Guid.NewGuid(), "peer", new HashSet<string> { Appointments }, RemovedAt: Now.AddMinutes(-1));
        var ended = new CompanionGrant(Guid.NewGuid(), "friend", new HashSet<string> { Appointments }, ValidUntil: Now);
        var facts = Facts(companions: [removed, ended]);

        Assert.False(SecrecyRules.Decide(new Reader("peer", "peer_worker", C, null), facts, Appointments, Now).Allowed);
        Assert.False(SecrecyRules.Decide(new Reader("friend", "person", null, Other), facts, Appointments, Now).Allowed);
    }

    [Fact]
    public void GivenCompanionWhoIsAnotherPersonWithALogin_WhenTheyRead_ThenWhatWasGranted()
    {
        var companion = new CompanionGrant(Guid.NewGuid(), "relative", new HashSet<string> { Appointments });
        var decision = SecrecyRules.Decide(new Reader("relative", "person", null, Other), Facts(companions: [companion]), Appointments, Now);
        Assert.True(decision.Allowed);
        Assert.Equal(Bases.Companion, decision.Basis);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("partner_system")]
    public void GivenAdminOrPartnerSystem_WhenTheyRead_ThenNeverAllowed_EvenAsANamedCompanion(string role)
    {
        var companion = new CompanionGrant(Guid.NewGuid(), "sys", All.ToHashSet());
        var facts = Facts([FullGrant(B)], [new Involvement(B, InvolvementKind.Registered)], [companion]);
        foreach (var category in All)
        {
            Assert.False(SecrecyRules.Decide(new Reader("sys", role, B, null), facts, category, Now).Allowed);
        }
    }

    [Fact]
    public void GivenBookingAtBodyWithAnyActiveGrant_WhenHostReadsTheBooking_ThenBookingBasis()
    {
        var grant = FullGrant(B, categories: [Identity]);
        var facts = Facts([grant]);
        var decision = SecrecyRules.DecideBookingContent(Pro("social_worker", B), facts, B, Now);
        Assert.True(decision.Allowed);
        Assert.Equal(Bases.Booking, decision.Basis);
        Assert.Equal(grant.ConsentId, decision.ConsentId);
    }

    [Fact]
    public void GivenBookingAtBodyWhoseGrantWasRevoked_WhenHostReadsTheBooking_ThenDenied()
    {
        var facts = Facts([FullGrant(B, revoked: Now.AddSeconds(-1))]);
        Assert.False(SecrecyRules.DecideBookingContent(Pro("social_worker", B), facts, B, Now).Allowed);
        Assert.False(SecrecyRules.DecideBookingContent(Pro("social_worker", C), Facts([FullGrant(B)]), B, Now).Allowed);
    }

    [Fact]
    public void GivenIdentityGrantWithoutInvolvement_WhenSearchHits_ThenIdAndNameMayBeReturned()
    {
        var facts = Facts([FullGrant(B, Purposes.AppointmentBooking, categories: [Identity, Appointments])]);
        Assert.True(SecrecyRules.DecideSearchHit(Pro("france_services_adviser", B), facts, Now).Allowed);
        Assert.False(SecrecyRules.DecideSearchHit(Pro("france_services_adviser", C), facts, Now).Allowed);
        Assert.False(SecrecyRules.DecideSearchHit(Pro("admin", B), facts, Now).Allowed);
        var noIdentity = Facts([FullGrant(B, categories: [Appointments])]);
        Assert.False(SecrecyRules.DecideSearchHit(Pro("france_services_adviser", B), noIdentity, Now).Allowed);
    }

    [Fact]
    public void GivenTwoGrantsOpeningTheCategory_WhenProfessionalReads_ThenTheFollowUpGrantIsTheBasis()
    {
        var booking = FullGrant(B, Purposes.AppointmentBooking);
        var followUp = FullGrant(B);
        var facts = Facts([booking, followUp], [new Involvement(B, InvolvementKind.Registered)]);
        Assert.Equal(followUp.ConsentId, SecrecyRules.Decide(Pro("social_worker", B), facts, Appointments, Now).ConsentId);
    }
}
