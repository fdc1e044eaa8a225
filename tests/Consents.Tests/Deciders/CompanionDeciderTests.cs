using Consents.Api;
using Consents.Api.Access;
using Consents.Api.Companions;
using Consents.Api.Companions.Choosing;
using Consents.Api.Companions.Listing;
using Consents.Api.Companions.Removing;
using Consents.Api.Copies;
using Xunit;

namespace Consents.Tests.Deciders;

public sealed class CompanionDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly Actor Self = new("sub-p", "person", "Camille D.", null);
    private static readonly UserCopy PeerWorker = new("sub-peer", "peer-worker@demo", "Marc Lefèvre (pair aidant)", Now);

    private static ChooseCompanionRequest Request(string? userSubject = null, string? displayName = null, string? phone = null,
        string? email = null, Relationship? relationship = Relationship.Friend, string[]? categories = null, DateTimeOffset? validUntil = null) =>
        new(userSubject, displayName, phone, email, relationship, true, false, categories, validUntil);

    [Fact]
    public void GivenAPlatformUser_WhenValidated_ThenNoError() =>
        Assert.Empty(ChooseCompanionDecider.Validate(Request(userSubject: "sub-peer", relationship: Relationship.PeerWorker, categories: ["identity"]),
            PeerWorker, Now, out _));

    [Fact]
    public void GivenANamedPerson_WhenValidated_ThenThePhoneIsInE164()
    {
        var errors = ChooseCompanionDecider.Validate(Request(displayName: "Lucie Bernard", phone: "+33 6 98 76 54 32", email: "lucie@example.org"),
            null, Now, out var contact);

        Assert.Empty(errors);
        Assert.Equal("+33698765432", contact.Phone);
        Assert.Equal("lucie@example.org", contact.Email);
    }

    [Fact]
    public void GivenBothAUserAndAName_WhenValidated_ThenRefused() =>
        Assert.Equal(["displayName"], ChooseCompanionDecider.Validate(Request(userSubject: "sub-peer", displayName: "Marc"), PeerWorker, Now, out _).Keys);

    [Fact]
    public void GivenNeitherAUserNorAName_WhenValidated_ThenRefused() =>
        Assert.Equal(["userSubject"], ChooseCompanionDecider.Validate(Request(), null, Now, out _).Keys);

    [Fact]
    public void GivenAnUnknownUserWithContactDetails_WhenValidated_ThenEachFieldIsNamed() =>
        Assert.Equal(["email", "phone", "userSubject"],
            ChooseCompanionDecider.Validate(Request(userSubject: "nobody", phone: "0612345678", email: "a@b.fr"), null, Now, out _).Keys.Order());

    [Fact]
    public void GivenBadDetails_WhenValidated_ThenEachFieldIsNamed() =>
        Assert.Equal(["categories[1]", "phone", "relationship", "validUntil"],
            ChooseCompanionDecider.Validate(Request(displayName: "Lucie", phone: "not a phone", relationship: null, categories: ["identity", "health"],
                validUntil: Now), null, Now, out _).Keys.Order());

    private static ChooseCompanion Command(string? userSubject) =>
        new(Guid.NewGuid(), Person, userSubject, "Marc", Relationship.PeerWorker, true, true, ["appointments", "identity"], null, null, null, Self, Now);

    private static CompanionDetails Existing(string? userSubject, DateTimeOffset? removedAt = null, DateTimeOffset? validUntil = null) =>
        new(Guid.NewGuid(), Person, userSubject, "Marc", Relationship.PeerWorker, true, true, ["identity"], validUntil, null, null, Self,
            Now.AddDays(-10), removedAt is null ? null : Self, removedAt) { Version = 1 };

    [Fact]
    public void GivenNoCompanion_WhenChoosingAUser_ThenChosenWithCategoriesInOrder()
    {
        var chosen = ChooseCompanionDecider.Decide(Command("sub-peer"), []).Event!;

        Assert.Equal(["identity", "appointments"], chosen.Categories);
        Assert.Equal("sub-peer", chosen.UserSubject);
        Assert.Equal(Now, chosen.ChosenAt);
    }

    [Fact]
    public void GivenTheSameUserAlreadyActive_WhenChosenAgain_ThenRefusedWithTheExistingOne()
    {
        var existing = Existing("sub-peer");

        var decided = ChooseCompanionDecider.Decide(Command("sub-peer"), [existing]);

        Assert.Equal("companion-already-chosen", decided.Refusal!.Code);
        Assert.Equal(existing.Id, decided.Refusal.State["existingId"]);
    }

    [Fact]
    public void GivenTheSameUserRemovedOrEnded_WhenChosenAgain_ThenChosen()
    {
        Assert.NotNull(ChooseCompanionDecider.Decide(Command("sub-peer"), [Existing("sub-peer", removedAt: Now.AddDays(-1))]).Event);
        Assert.NotNull(ChooseCompanionDecider.Decide(Command("sub-peer"), [Existing("sub-peer", validUntil: Now)]).Event);
    }

    [Fact]
    public void GivenARemovedCompanion_WhenRemovedAgain_ThenRefused()
    {
        var companion = new Companion(Guid.NewGuid(), Person, null, null);
        var removed = companion.Apply(RemoveCompanionDecider.Decide(companion, new RemoveCompanion(companion.Id, Self, Now)).Event!);

        var decided = RemoveCompanionDecider.Decide(removed, new RemoveCompanion(companion.Id, Self, Now.AddMinutes(1)));

        Assert.Equal("companion-already-removed", decided.Refusal!.Code);
        Assert.Equal("removed", decided.Refusal.State["status"]);
    }

    [Fact]
    public void GivenAnEndDate_WhenItComes_ThenTheCompanionIsEnded()
    {
        Assert.Equal(CompanionStatus.Active, CompanionStates.StatusAt(null, Now.AddTicks(1), Now));
        Assert.Equal(CompanionStatus.Ended, CompanionStates.StatusAt(null, Now, Now));
        Assert.Equal(CompanionStatus.Removed, CompanionStates.StatusAt(Now.AddDays(-1), null, Now));
    }
}
