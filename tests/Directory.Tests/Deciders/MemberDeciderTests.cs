using Directory.Api.Members;
using Directory.Api.Members.Joining;
using Directory.Api.Members.Leaving;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class MemberDeciderTests
{
    private static readonly Guid BodyId = Guid.CreateVersion7();
    private static readonly DateOnly Today = new(2025, 6, 2);

    private static AddMember Command(string email = "Lea.Martin@Example.org") =>
        AddMemberDecider.Command(Guid.CreateVersion7(), BodyId, new AddMemberRequest(email, " Léa Martin ", "social_worker"), Today, "coordinator");

    [Fact]
    public void GivenNoActiveMembership_WhenAProfessionalJoins_ThenMemberJoinedWithNormalisedEmailAndStartingToday()
    {
        var command = Command();
        var decision = AddMemberDecider.Decide(command, null);
        var joined = Assert.IsType<MemberJoined>(Assert.Single(decision.Events));
        Assert.Equal("lea.martin@example.org", joined.Email);
        Assert.Equal("Léa Martin", joined.DisplayName);
        Assert.Equal("social_worker", joined.Role);
        Assert.Equal(Today, joined.From);
        Assert.Equal(BodyId, joined.BodyId);
    }

    [Fact]
    public void GivenAnActiveMembershipAnywhere_WhenTheSameProfessionalJoins_ThenRefused()
    {
        var decision = AddMemberDecider.Decide(Command(), new ActiveMembership("lea.martin@example.org", Guid.CreateVersion7(), Guid.CreateVersion7()));
        Assert.True(decision.Refused);
        Assert.Equal("already-a-member", decision.ConflictCode);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("not-an-email", "Léa", "social_worker", "email")]
    [InlineData("lea@example.org", "", "social_worker", "displayName")]
    [InlineData("lea@example.org", "Léa", "admin", "role")]
    [InlineData("lea@example.org", "Léa", "person", "role")]
    [InlineData("lea@example.org", "Léa", "Social_Worker", "role")]
    public void GivenAWrongField_WhenValidated_ThenTheFieldIsNamed(string email, string name, string role, string field) =>
        Assert.Contains(field, AddMemberDecider.Validate(new AddMemberRequest(email, name, role)).Keys);

    [Fact]
    public void GivenTheDemoLogins_WhenValidated_ThenTheirDotlessDomainIsAccepted() =>
        Assert.Empty(AddMemberDecider.Validate(new AddMemberRequest("coordinator@demo", "Karim", "coordinator")));

    [Fact]
    public void GivenAnActiveMember_WhenRemoved_ThenMemberLeftToday()
    {
        var member = Member.Create(new MemberJoined(Guid.CreateVersion7(), BodyId, "a@b.fr", "A", "volunteer", Today.AddDays(-30), null, "x"));
        var left = Assert.IsType<MemberLeft>(Assert.Single(RemoveMemberDecider.Decide(member, new RemoveMember(member.Id, BodyId, Today, "x")).Events));
        Assert.Equal(Today, left.On);
        Assert.Equal("a@b.fr", left.Email);
    }

    [Fact]
    public void GivenAMemberWhoLeft_WhenRemovedAgain_ThenRefused()
    {
        var member = Member.Create(new MemberJoined(Guid.CreateVersion7(), BodyId, "a@b.fr", "A", "volunteer", Today, null, "x"))
            .Apply(new MemberLeft(Guid.Empty, BodyId, "a@b.fr", Today, "x"));
        Assert.Equal("member-already-left", RemoveMemberDecider.Decide(member, new RemoveMember(member.Id, BodyId, Today, "x")).ConflictCode);
    }
}
