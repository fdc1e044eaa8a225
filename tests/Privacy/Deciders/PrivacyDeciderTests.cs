using Consents.Api;
using Consents.Api.Access;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents.Listing;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using Consents.Api.Privacy.Retention;
using Coordination.Secrecy.Gate.Privacy;
using Xunit;

namespace Privacy.Tests.Deciders;

public sealed class PrivacyDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Person = Guid.CreateVersion7();
    private static readonly Actor Worker = new("sw", "social_worker", "Sophie Martin (CCAS)", Guid.CreateVersion7());

    private static ConsentDetails Consent(DateTimeOffset until, DateTimeOffset? revokedAt = null) =>
        new(Guid.CreateVersion7(), Person, Guid.CreateVersion7(), ["identity"], "follow_up_coordination", Now.AddMonths(-2), until,
            ConsentGiver.Person, ConsentCollection.InPerson, Worker, revokedAt, revokedAt is null ? null : RevokedBy.Person, null,
            revokedAt is null ? null : Worker, null, revokedAt is null);

    private static CompanionDetails Companion(DateTimeOffset? removedAt = null, DateTimeOffset? until = null) =>
        new(Guid.CreateVersion7(), Person, null, "Malik Haddad", Relationship.Friend, true, false, [], until, "+33612345678", null, Worker,
            Now.AddMonths(-1), removedAt is null ? null : Worker, removedAt);

    [Fact]
    public void GivenActiveAndEndedGrantsAndCompanions_WhenErasing_ThenOnlyTheActiveOnesEnd()
    {
        var active = Consent(Now.AddMonths(6));
        var events = ErasePersonDecider.Decide(new ErasePerson(Person, ErasureRequester.Person, null, Worker, Now),
            [active, Consent(Now.AddDays(-1)), Consent(Now.AddMonths(6), Now.AddDays(-3))],
            [Companion(), Companion(removedAt: Now.AddDays(-1)), Companion(until: Now.AddDays(-1))]);

        Assert.Equal(active.Id, Assert.Single(events.Revocations).ConsentId);
        Assert.All(events.Revocations, r => Assert.Equal((RevokedBy.Person, null), (r.RevokedBy, r.Reason)));
        Assert.Single(events.Removals);
        Assert.Equal((1, 1), (events.Erased.ConsentsRevoked, events.Erased.CompanionsRemoved));
    }

    [Fact]
    public void GivenAnAdministrator_WhenErasingWithoutTheWrittenRequestsReference_ThenRefused()
    {
        Assert.Contains("reference", ErasePersonDecider.Validate(new ErasePersonRequest(), ErasureRequester.AdminOnWrittenRequest).Keys);
        Assert.Empty(ErasePersonDecider.Validate(new ErasePersonRequest(), ErasureRequester.Person));
        Assert.Contains("reference", ErasePersonDecider.Validate(new ErasePersonRequest(new string('x', 101)), ErasureRequester.Person).Keys);
    }

    [Theory]
    [InlineData(25, false, true)]
    [InlineData(23, false, false)]
    [InlineData(25, true, false)]
    public void GivenMonthsWithoutActivity_WhenTheRetentionRuleRuns_ThenErasedOnlyPast24MonthsWithoutAnActiveGrant(int monthsIdle, bool activeGrant,
        bool due)
    {
        var last = Now.AddMonths(-monthsIdle);
        var activity = new PersonActivity(Person, Now.AddMonths(-40), last.AddMonths(-3), last, null, last.AddDays(-1), null, activeGrant);
        Assert.Equal(last, activity.LastActivity);
        Assert.Equal(due, RetentionRules.IsDue(activity, Now, 24));
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(25, true)]
    public void GivenActivityRecordedElsewhere_WhenTheRetentionRuleRuns_ThenItCountsLikeAnyOther(int monthsSinceElsewhere, bool due)
    {
        // Everything Consents holds is 30 months old and no grant is active; an accompaniment or a closed referral dates it.
        var old = Now.AddMonths(-30);
        var elsewhere = Now.AddMonths(-monthsSinceElsewhere);
        var activity = new PersonActivity(Person, old, old, old, null, old, null, HasActiveGrant: false, ElsewhereLast: elsewhere);
        Assert.Equal(elsewhere, activity.LastActivity);
        Assert.Equal(due, RetentionRules.IsDue(activity, Now, 24));
    }

    [Fact]
    public void GivenSomePartsMissing_WhenAssembling_ThenPendingUntilEveryServiceAnswered()
    {
        var export = new PersonExportRecord(Guid.CreateVersion7(), Person, ExportChannel.Self, "sub", null, Now, Now + PersonExports.Lifetime);
        PersonExportPartRecord Part(string service, string json) =>
            new(PersonExportPartRecord.KeyOf(export.Id, service), export.Id, Person, service, json, Now.AddSeconds(1), export.ExpiresAt);
        var parts = new List<PersonExportPartRecord> { Part("consents", """{"identity":{"givenName":"Camille"},"consents":[]}"""), Part("identity", """{"logins":[]}""") };

        Assert.Null(ExportAssembly.Assemble(export, parts));
        Assert.Equal(ExportStatus.Pending, ExportAssembly.Status(export, parts).Status);

        parts.Add(Part("referrals", """{"referrals":[{"reason":"RSA"}]}"""));
        parts.Add(Part("appointments", """{"appointments":[]}"""));
        var document = ExportAssembly.Assemble(export, parts)!;
        Assert.Equal(ExportStatus.Ready, ExportAssembly.Status(export, parts).Status);
        Assert.Equal(["identity", "consents", "logins", "referrals", "appointments"], document.Sections.Keys);
        Assert.Equal("Camille", document.Sections["identity"].GetProperty("givenName").GetString());
        Assert.Equal(4, document.Sources.Count);
    }

    [Fact]
    public void GivenAStoredAnswer_WhenMasked_ThenOnlyPersonalMembersChange()
    {
        var json = """{"id":"0193a0a0-0000-7000-8000-0000000000a1","displayName":"Marie D.","companion":{"phone":"+33612345678","relationship":"friend"},"items":[{"note":"rdv CAF"}]}""";
        var masked = JsonMasking.Mask(json, JsonMasking.PersonalFields);
        Assert.DoesNotContain("Marie", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("+336", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("rdv CAF", masked, StringComparison.Ordinal);
        Assert.Contains("0193a0a0-0000-7000-8000-0000000000a1", masked, StringComparison.Ordinal);
        Assert.Contains("friend", masked, StringComparison.Ordinal);
        Assert.Equal(masked, JsonMasking.Mask(masked, JsonMasking.PersonalFields));
    }
}
