using Consents.Api;
using Consents.Api.Access;
using Consents.Api.Consents;
using Consents.Api.Consents.Expiring;
using Consents.Api.Consents.Granting;
using Consents.Api.Consents.Revoking;
using Xunit;

namespace Consents.Tests.Deciders;

/// <summary>The consent ledger without a host: periods, the 36-month cap, revocation and expiry.</summary>
public sealed class LedgerDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly Guid Body = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Actor Professional = new("sub-1", "social_worker", "Sophie Martin", Body);
    private static readonly Actor Self = new("sub-p", "person", "Camille D.", null);

    private static Consent ActiveConsent(DateTimeOffset? until = null) =>
        Consent.Create(new ConsentGranted(Guid.NewGuid(), Person, Body, ["identity"], "follow_up_coordination", Now.AddMonths(-1),
            until ?? Now.AddMonths(11), ConsentGiver.Person, ConsentCollection.InPerson, Professional));

    private static RevokeConsent Revoke(RevokedBy by = RevokedBy.ProfessionalOnRequest, DateTimeOffset? at = null) =>
        new(Guid.Empty, by, "La personne ne souhaite plus partager.", Professional, at ?? Now);

    [Fact]
    public void GivenNoEnd_WhenResolvingThePeriod_ThenItLasts12Months()
    {
        var (until, error) = ConsentPeriod.Resolve(Now, null);

        Assert.Null(error);
        Assert.Equal(Now.AddMonths(12), until);
    }

    [Fact]
    public void GivenAnEndAt36Months_WhenResolvingThePeriod_ThenItIsAccepted()
    {
        var (until, error) = ConsentPeriod.Resolve(Now, Now.AddMonths(36));

        Assert.Null(error);
        Assert.Equal(Now.AddMonths(36), until);
    }

    [Fact]
    public void GivenAnEndBeyond36Months_WhenResolvingThePeriod_ThenItIsRefused()
    {
        var (_, error) = ConsentPeriod.Resolve(Now, Now.AddMonths(36).AddSeconds(1));

        Assert.StartsWith("At most 36 months", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void GivenAnEndNotInTheFuture_WhenResolvingThePeriod_ThenItIsRefused(int seconds)
    {
        var (_, error) = ConsentPeriod.Resolve(Now, Now.AddSeconds(seconds));

        Assert.Equal("Must be in the future.", error);
    }

    [Fact]
    public void GivenUnknownBodyCategoryAndPurpose_WhenValidatingAGrant_ThenEachFieldIsNamed()
    {
        var errors = new Dictionary<string, string[]>();

        GrantConsentDecider.Validate(Guid.NewGuid(), ["identity", "health"], "marketing", Now.AddMonths(40), "grants[2].", Now,
            new HashSet<Guid> { Body }, errors);

        Assert.Equal(["grants[2].bodyId", "grants[2].categories[1]", "grants[2].purpose", "grants[2].validUntil"], errors.Keys.Order());
    }

    [Fact]
    public void GivenNoCategory_WhenValidatingAGrant_ThenCategoriesAreRequired()
    {
        var errors = new Dictionary<string, string[]>();

        GrantConsentDecider.Validate(Body, [], "follow_up_coordination", null, "", Now, new HashSet<Guid> { Body }, errors);

        Assert.Equal(["categories"], errors.Keys);
    }

    [Fact]
    public void GivenCategoriesInAnyOrderWithRepeats_WhenGranting_ThenTheyAreKeptOnceInVocabularyOrder()
    {
        var command = new GrantConsent(Guid.NewGuid(), Person, Body, ["contacts", "identity", "contacts"], "follow_up_coordination", Now,
            Now.AddMonths(12), ConsentGiver.Person, ConsentCollection.Online, Self);

        var granted = GrantConsentDecider.Decide(command, personHasLegalRepresentative: false).Event!;

        Assert.Equal(["identity", "contacts"], granted.Categories);
        Assert.Equal(Now, granted.ValidFrom);
        Assert.Equal(Now.AddMonths(12), granted.ValidUntil);
    }

    [Fact]
    public void GivenAPerson_WhenTheyGrant_ThenItIsCollectedOnline_AndOnlyThatWay()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(ConsentCollection.Online, GrantConsentDecider.CollectionOf(new RecordConsentRequest(), bySelf: true, errors));
        Assert.Empty(errors);
        GrantConsentDecider.CollectionOf(new RecordConsentRequest(Collection: ConsentCollection.SignedForm, GivenBy: ConsentGiver.LegalRepresentative),
            bySelf: true, errors);
        Assert.Equal(["collection", "givenBy"], errors.Keys.Order());
    }

    [Fact]
    public void GivenAProfessional_WhenTheyRecordAGrant_ThenInPersonByDefault_NeverOnline()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(ConsentCollection.InPerson, GrantConsentDecider.CollectionOf(new RecordConsentRequest(), bySelf: false, errors));
        Assert.Equal(ConsentCollection.SignedForm, GrantConsentDecider.CollectionOf(new RecordConsentRequest(Collection: ConsentCollection.SignedForm), false, errors));
        Assert.Empty(errors);
        GrantConsentDecider.CollectionOf(new RecordConsentRequest(Collection: ConsentCollection.Online), bySelf: false, errors);
        Assert.Equal(["collection"], errors.Keys);
    }

    [Fact]
    public void GivenAnEndWithMoreThanMicrosecondPrecision_WhenResolvingThePeriod_ThenItIsKeptAtTheDatabasesPrecision()
    {
        var (until, error) = ConsentPeriod.Resolve(Now, Now.AddMonths(1).AddTicks(7));

        Assert.Null(error);
        Assert.Equal(Now.AddMonths(1), until);
        Assert.Equal(0, ConsentPeriod.Resolve(Now.AddTicks(3), null).Until.Ticks % 10);
    }

    [Fact]
    public void GivenNoLegalRepresentative_WhenAGrantIsGivenByOne_ThenItIsRefused()
    {
        var command = new GrantConsent(Guid.NewGuid(), Person, Body, ["identity"], "follow_up_coordination", Now, Now.AddMonths(12),
            ConsentGiver.LegalRepresentative, ConsentCollection.SignedForm, Professional);

        var decided = GrantConsentDecider.Decide(command, personHasLegalRepresentative: false);

        Assert.Equal("no-legal-representative", decided.Refusal!.Code);
    }

    [Fact]
    public void GivenAnActiveGrant_WhenRevokedAtThePersonsRequest_ThenConsentRevoked()
    {
        var consent = ActiveConsent();

        var revoked = RevokeConsentDecider.Decide(consent, Revoke(), personHasLegalRepresentative: false).Event!;

        Assert.Equal(consent.Id, revoked.ConsentId);
        Assert.Equal(RevokedBy.ProfessionalOnRequest, revoked.RevokedBy);
        Assert.Equal(Now, revoked.RevokedAt);
        Assert.Equal("La personne ne souhaite plus partager.", revoked.Reason);
    }

    [Fact]
    public void GivenARevokedGrant_WhenRevokedAgain_ThenRefusedWithItsState()
    {
        var consent = ActiveConsent();
        var first = RevokeConsentDecider.Decide(consent, Revoke(), false).Event!;
        var revoked = consent.Apply(first);

        var decided = RevokeConsentDecider.Decide(revoked, Revoke(at: Now.AddMinutes(1)), false);

        Assert.Null(decided.Event);
        Assert.Equal("consent-already-revoked", decided.Refusal!.Code);
        Assert.Equal("revoked", decided.Refusal.State["status"]);
        Assert.Equal(Now, decided.Refusal.State["revokedAt"]);
    }

    [Fact]
    public void GivenAGrantPastItsEndButNotYetExpiredByTheJob_WhenRevoked_ThenRefusedAsExpired()
    {
        var consent = ActiveConsent(until: Now);

        var decided = RevokeConsentDecider.Decide(consent, Revoke(), false);

        Assert.Equal("consent-expired", decided.Refusal!.Code);
        Assert.Equal("expired", decided.Refusal.State["status"]);
        Assert.Equal(Now, decided.Refusal.State["expiredAt"]);
    }

    [Fact]
    public void GivenAnExpiredGrant_WhenRevoked_ThenRefusedAsExpired()
    {
        var consent = ActiveConsent(until: Now.AddDays(-1));
        var expired = consent.Apply(ExpireConsentDecider.Decide(consent, Now)!);

        Assert.Equal("consent-expired", RevokeConsentDecider.Decide(expired, Revoke(), false).Refusal!.Code);
    }

    [Fact]
    public void GivenNoLegalRepresentative_WhenRevokedByOne_ThenRefused()
    {
        var decided = RevokeConsentDecider.Decide(ActiveConsent(), Revoke(RevokedBy.LegalRepresentative), personHasLegalRepresentative: false);

        Assert.Equal("no-legal-representative", decided.Refusal!.Code);
    }

    [Fact]
    public void GivenALegalRepresentative_WhenRevokedByThem_ThenRecordedAsSuch()
    {
        var decided = RevokeConsentDecider.Decide(ActiveConsent(), Revoke(RevokedBy.LegalRepresentative), personHasLegalRepresentative: true);

        Assert.Equal(RevokedBy.LegalRepresentative, decided.Event!.RevokedBy);
    }

    [Fact]
    public void GivenAPerson_WhenValidatingTheirRevocation_ThenNoReasonIsNeededButOnlyPersonMayBeClaimed()
    {
        Assert.Empty(RevokeConsentDecider.Validate(new RevokeConsentRequest(null, null), bySelf: true));
        Assert.Equal(["revokedBy"], RevokeConsentDecider.Validate(new RevokeConsentRequest(RevokedBy.ProfessionalOnRequest, null), bySelf: true).Keys);
    }

    [Fact]
    public void GivenAProfessional_WhenValidatingARevocation_ThenRequesterAndReasonAreRequired()
    {
        Assert.Equal(["reason", "revokedBy"], RevokeConsentDecider.Validate(new RevokeConsentRequest(null, " "), bySelf: false).Keys.Order());
        Assert.Equal(["revokedBy"], RevokeConsentDecider.Validate(new RevokeConsentRequest(RevokedBy.Person, "asked"), bySelf: false).Keys);
        Assert.Empty(RevokeConsentDecider.Validate(new RevokeConsentRequest(RevokedBy.ProfessionalOnRequest, "asked"), bySelf: false));
    }

    [Fact]
    public void GivenAGrantBeforeItsEnd_WhenTheJobLooks_ThenNothingExpires()
    {
        var until = Now.AddHours(1);

        Assert.Null(ExpireConsentDecider.Decide(ActiveConsent(until), until.AddTicks(-1)));
        Assert.Equal(ConsentStatus.Active, ActiveConsent(until).StatusAt(until.AddTicks(-1)));
    }

    [Fact]
    public void GivenAGrantAtItsEnd_WhenTheJobLooksLate_ThenItExpiresAtItsEnd()
    {
        var until = Now.AddHours(1);
        var consent = ActiveConsent(until);

        var expired = ExpireConsentDecider.Decide(consent, until.AddMinutes(7))!;

        Assert.Equal(until, expired.ExpiredAt);
        Assert.Equal(consent.Id, expired.ConsentId);
        Assert.Equal(ConsentStatus.Expired, consent.StatusAt(until));
    }

    [Fact]
    public void GivenARevokedOrExpiredGrant_WhenTheJobLooks_ThenNothingMoreIsAppended()
    {
        var consent = ActiveConsent(Now.AddHours(-1));
        var revoked = ActiveConsent(Now.AddHours(-1)).Apply(new ConsentRevoked(Guid.Empty, Person, Body, RevokedBy.Person, null, Self, Now.AddHours(-2)));
        var expired = consent.Apply(ExpireConsentDecider.Decide(consent, Now)!);

        Assert.Null(ExpireConsentDecider.Decide(revoked, Now));
        Assert.Null(ExpireConsentDecider.Decide(expired, Now));
        Assert.Equal(ConsentStatus.Revoked, revoked.StatusAt(Now));
    }
}
