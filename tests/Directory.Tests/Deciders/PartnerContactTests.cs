using Directory.Api.Bodies;
using Directory.Api.PartnerContacts;
using Directory.Api.PartnerContacts.GettingHistory;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class PartnerContactTests
{
    private static readonly Guid BodyId = Guid.CreateVersion7();
    private static readonly Guid Alice = Guid.CreateVersion7();
    private static readonly Guid Bruno = Guid.CreateVersion7();
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static Body Given(params object[] events)
    {
        var body = Body.Create(new BodyRegistered(BodyId, "CCAS de Narbonne", "ccas-cias", new Address(null, null, "11262", "Narbonne"), ["11262"], false, "test"));
        foreach (var e in events)
        {
            body = e switch
            {
                PartnerContactDesignated d => body.Apply(d),
                PartnerContactEnded d => body.Apply(d),
                _ => body,
            };
        }
        return body;
    }

    [Fact]
    public void GivenNoPartnerContact_WhenAMemberIsDesignated_ThenOnlyTheDesignation()
    {
        var decision = PartnerContactDecider.Designate(Given(), Alice, "handover", "coordinator");
        var designated = Assert.IsType<PartnerContactDesignated>(Assert.Single(decision.Events));
        Assert.Equal(Alice, designated.MemberId);
    }

    [Fact]
    public void GivenAPartnerContact_WhenAnotherIsDesignated_ThenTheFirstEndsWithTheHandoverReasonBeforeTheSecondStarts()
    {
        var body = Given(new PartnerContactDesignated(BodyId, Alice, "coordinator"));
        var decision = PartnerContactDecider.Designate(body, Bruno, "other", "coordinator");
        Assert.Collection(decision.Events,
            e => Assert.Equal(new PartnerContactEnded(BodyId, Alice, "other", "coordinator"), e),
            e => Assert.Equal(new PartnerContactDesignated(BodyId, Bruno, "coordinator"), e));
    }

    [Fact]
    public void GivenAPartnerContact_WhenTheSameMemberIsDesignatedAgain_ThenNothingHappens() =>
        Assert.Empty(PartnerContactDecider.Designate(Given(new PartnerContactDesignated(BodyId, Alice, "x")), Alice, "handover", "x").Events);

    [Fact]
    public void GivenThePartnerContact_WhenTheyLeaveTheBody_ThenTheDesignationEndsWithMemberLeft()
    {
        var decision = PartnerContactDecider.OnMemberLeft(Given(new PartnerContactDesignated(BodyId, Alice, "x")), Alice, "coordinator");
        var ended = Assert.IsType<PartnerContactEnded>(Assert.Single(decision.Events));
        Assert.Equal("member_left", ended.Reason);
        Assert.Equal(Alice, ended.MemberId);
    }

    [Fact]
    public void GivenAPartnerContact_WhenAnotherMemberLeaves_ThenTheDesignationStays() =>
        Assert.Empty(PartnerContactDecider.OnMemberLeft(Given(new PartnerContactDesignated(BodyId, Alice, "x")), Bruno, "x").Events);

    [Fact]
    public void GivenDesignationsHandoversAndALeaving_WhenTheHistoryIsFolded_ThenEachDesignationIsDatedWithItsEndReason()
    {
        var history = PartnerContactHistory.Start(BodyId)
            .Designated(Alice, T0)
            .Ended(Alice, "handover", T0.AddDays(10))
            .Designated(Bruno, T0.AddDays(10))
            .Ended(Bruno, "member_left", T0.AddDays(40))
            .Designated(Alice, T0.AddDays(41));

        Assert.Equal(
            [
                new Designation(Alice, T0, T0.AddDays(10), "handover"),
                new Designation(Bruno, T0.AddDays(10), T0.AddDays(40), "member_left"),
                new Designation(Alice, T0.AddDays(41), null, null),
            ],
            history.Designations);
        Assert.Equal(Alice, history.Current?.MemberId);
        Assert.Null(history.Ended(Alice, "other", T0.AddDays(50)).Current);
    }
}
