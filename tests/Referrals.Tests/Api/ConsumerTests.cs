using Consents.Contracts;
using Coordination.Secrecy.Gate.Copies;
using Directory.Contracts;
using Referrals.Api.Copies;
using MassTransit;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>Every consumer is idempotent: the same message twice (same MessageId) has one effect, and an older message never wins.</summary>
[Collection(ReferralsCollection.Name)]
public sealed class ConsumerTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private async Task Twice<T>(T message) where T : class
    {
        var id = Guid.CreateVersion7();
        await Bus.Publish(message, c => c.MessageId = id);
        await Bus.Publish(message, c => c.MessageId = id);
    }

    private Task<long> Rows(string table, Guid id) => Fixture.Database.Scalar<long>($"select count(*) from referrals.{table} where id = '{id}'");

    [Fact]
    public async Task PersonRegistered_Twice_GivesOneNameAndOneInvolvement()
    {
        var personId = Guid.CreateVersion7();
        await Twice(new PersonRegistered(personId, "Inès Moreau", Ccas, "sw", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PersonNameCopy>(personId) is not null, "the name copy");
        await Task.Delay(1000);
        Assert.Equal(1, await Rows("mt_doc_personnamecopy", personId));
        Assert.Equal(1, await Fixture.Database.Scalar<long>($"select count(*) from referrals.mt_doc_involvementrecord where data ->> 'personId' = '{personId}'"));
    }

    [Fact]
    public async Task MemberJoined_AfterItsMemberLeft_StaysLeft_AndServiceCopiesKeepTheNewestCapacity()
    {
        var memberId = Guid.CreateVersion7();
        await Publish(new MemberLeft(memberId, Ccas, "x@example.org", new DateOnly(2026, 2, 1), DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<MemberCopy>(memberId) is not null, "the departure");
        await Twice(new MemberJoined(memberId, Ccas, "x@example.org", "Xavier", "social_worker", new DateOnly(2025, 1, 1), DateTimeOffset.UtcNow.AddDays(-30)));
        await Eventually(async s => (await s.LoadAsync<MemberCopy>(memberId))?.Joined == true, "the arrival");
        await using (var session = Store.QuerySession())
        {
            var member = (await session.LoadAsync<MemberCopy>(memberId))!;
            Assert.Equal(("Xavier", new DateOnly(2026, 2, 1)), (member.DisplayName, member.LeftOn));
            Assert.False(member.IsCurrentMemberOf(Ccas));
        }

        var serviceId = Guid.CreateVersion7();
        await Publish(new ServiceCapacityChanged(serviceId, Caf, "full", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<ServiceCopy>(serviceId) is not null, "the capacity");
        await Twice(new ServiceListed(serviceId, Caf, "Accueil RSA", ["famille--garde-denfants"], "available", DateTimeOffset.UtcNow.AddMinutes(-1)));
        await Eventually(async s => (await s.LoadAsync<ServiceCopy>(serviceId))?.Name == "Accueil RSA", "the listing");
        await using (var session = Store.QuerySession())
        {
            Assert.Equal("full", (await session.LoadAsync<ServiceCopy>(serviceId))!.CapacityStatus);
        }
    }

    [Fact]
    public async Task AReferralToAListedService_IsAccepted_AndToAnotherBodysService_Is400()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var serviceId = Guid.CreateVersion7();
        await Publish(new ServiceListed(serviceId, Caf, "Accueil RSA", ["famille--garde-denfants"], "available", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<ServiceCopy>(serviceId) is not null, "the service copy");

        var referral = await SendReferral(SocialWorker, personId, Caf, new { serviceId });
        Assert.Equal(serviceId, (await Details(referral)).ServiceId);
        using var client = await As(SocialWorker);
        await AssertInvalid(await Post(client, "referrals", new { personId, toBodyId = FranceServices, need = Need, serviceId }), "serviceId");
    }

    [Fact]
    public async Task GrantsAndCompanions_Twice_AreOneCopy_AndARevocationArrivingFirstIsKept()
    {
        var personId = await NewPerson(Ccas);
        var consentId = Guid.CreateVersion7();
        await Publish(new ConsentRevoked(consentId, personId, Caf, "person", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<GrantCopy>(consentId) is not null, "the early revocation");
        await Twice(new ConsentGranted(consentId, personId, Caf, ["orientation"], "follow_up_coordination", DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow.AddMinutes(-1)));
        await Eventually(async s => (await s.LoadAsync<GrantCopy>(consentId))?.Known == true, "the grant");
        await Task.Delay(1000);
        Assert.Equal(1, await Rows("mt_doc_grantcopy", consentId));

        // Revoked before it was even known here: the CAF cannot receive a referral on it.
        using var client = await As(SocialWorker);
        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = Caf, need = Need }), System.Net.HttpStatusCode.Conflict, "consent-required");
    }
}
