using Referrals.Api;
using Referrals.Api.Accompaniments;
using Referrals.Api.ContactPersons;
using Referrals.Api.ContactPersons.Designating;
using Referrals.Api.Referrals;
using Xunit;

namespace Referrals.Tests.Deciders;

public sealed class ContactPersonDeciderTests
{
    private static readonly Guid Person = Guid.CreateVersion7();
    private static readonly Guid Body = Guid.CreateVersion7();
    private static readonly Guid Alice = Guid.CreateVersion7();
    private static readonly Guid Bruno = Guid.CreateVersion7();
    private static readonly Actor By = new("sw", "Sophie", Body);
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static DesignateContactPerson Designate(Guid member, ContactPersonEndReason reason = ContactPersonEndReason.Handover) =>
        new(Person, Body, member, member == Alice ? "Alice" : "Bruno", reason, By, T0);

    private static ContactPerson Given(params object[] events)
    {
        var state = ContactPerson.Create((ContactPersonDesignated)events[0]);
        foreach (var e in events.Skip(1))
        {
            state = e switch
            {
                ContactPersonDesignated d => state.Apply(d),
                ContactPersonEnded d => state.Apply(d),
                _ => state,
            };
        }
        return state;
    }

    private static ContactPersonDesignated Designated(Guid member) => new(Person, Body, member, member == Alice ? "Alice" : "Bruno", By, T0);

    [Fact]
    public void GivenNoContactPerson_WhenAMemberIsDesignated_ThenOnlyTheDesignation() =>
        Assert.Equal(Designated(Alice), Assert.Single(ContactPersonDecider.Designate(null, Designate(Alice)).Events));

    [Fact]
    public void GivenAContactPerson_WhenAnotherIsDesignated_ThenTheFirstEndsWithTheReasonBeforeTheSecondStarts()
    {
        var decided = ContactPersonDecider.Designate(Given(Designated(Alice)), Designate(Bruno, ContactPersonEndReason.PersonRequest));
        Assert.Collection(decided.Events,
            e => Assert.Equal(new ContactPersonEnded(Person, Body, Alice, ContactPersonEndReason.PersonRequest, By, T0), e),
            e => Assert.Equal(Designated(Bruno), e));
    }

    [Fact]
    public void GivenAContactPerson_WhenTheSameMemberIsDesignatedAgain_ThenNothingHappens() =>
        Assert.Empty(ContactPersonDecider.Designate(Given(Designated(Alice)), Designate(Alice)).Events);

    [Fact]
    public void GivenAnEndedDesignation_WhenAMemberIsDesignated_ThenNoEndIsRepeated()
    {
        var state = Given(Designated(Alice), new ContactPersonEnded(Person, Body, Alice, ContactPersonEndReason.MemberLeft, null, T0));
        Assert.Null(state.CurrentMemberId);
        Assert.Equal(Designated(Bruno), Assert.Single(ContactPersonDecider.Designate(state, Designate(Bruno)).Events));
    }

    [Fact]
    public void GivenTheContactPerson_WhenTheyLeaveTheBody_ThenTheDesignationEndsWithMemberLeft_AndNobodyElsesDoes()
    {
        var state = Given(Designated(Alice));
        var ended = Assert.IsType<ContactPersonEnded>(Assert.Single(ContactPersonDecider.OnMemberLeft(state, Alice, T0).Events));
        Assert.Equal((Alice, ContactPersonEndReason.MemberLeft, (Actor?)null), (ended.MemberId, ended.Reason, ended.By));
        Assert.Empty(ContactPersonDecider.OnMemberLeft(state, Bruno, T0).Events);
    }

    [Fact]
    public void MemberLeft_IsNotAReasonAClientGives()
    {
        Assert.Contains("reason", DesignateContactPersonEndpoint.Validate(new(Alice, ContactPersonEndReason.MemberLeft)).Keys);
        Assert.Contains("memberId", DesignateContactPersonEndpoint.Validate(new(Guid.Empty)).Keys);
        Assert.Empty(DesignateContactPersonEndpoint.Validate(new(Alice, ContactPersonEndReason.Other)));
    }

    [Fact]
    public void TheStreamOfAPersonAndABody_IsTheSameEveryTime_AndDiffersForAnotherBody()
    {
        Assert.Equal(ContactPersonIds.Of(Person, Body), ContactPersonIds.Of(Person, Body));
        Assert.NotEqual(ContactPersonIds.Of(Person, Body), ContactPersonIds.Of(Person, Guid.CreateVersion7()));
    }

    [Fact]
    public void GivenAVisibleEntry_WhenHidden_ThenHidden_AndHidingAgainChangesNothing()
    {
        var entry = new Accompaniment(Guid.CreateVersion7(), Person, false);
        var hidden = Assert.IsType<AccompanimentHidden>(Assert.Single(AccompanimentDecider.Hide(entry, T0).Events));
        Assert.Equal(new AccompanimentHidden(entry.Id, Person, T0), hidden);
        Assert.Empty(AccompanimentDecider.Hide(entry.Apply(hidden), T0).Events);
    }
}
