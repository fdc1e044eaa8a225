using System.Net;
using Coordination.Secrecy.Gate.Copies;
using Directory.Contracts;
using Marten;
using Referrals.Api.ContactPersons;
using Referrals.Api.Copies;
using MassTransit;
using Xunit;

namespace Referrals.Tests.Api;

[Collection(ReferralsCollection.Name)]
public sealed class ContactPersonTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    /// <summary>A new member of the body, as Directory would publish it; their member id.</summary>
    private async Task<Guid> NewMember(Guid bodyId, string displayName)
    {
        var memberId = Guid.CreateVersion7();
        await Publish(new MemberJoined(memberId, bodyId, $"{memberId:N}@example.org", displayName, "social_worker", new DateOnly(2025, 1, 1), DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<MemberCopy>(memberId))?.Joined == true, "the member copy");
        return memberId;
    }

    private async Task<HttpResponseMessage> Designate(string login, Guid personId, Guid bodyId, object body, string? ifMatch = null)
    {
        using var client = await As(login);
        return await Send(client, HttpMethod.Put, $"persons/{personId}/contact-persons/{bodyId}", body, ifMatch);
    }

    [Fact]
    public async Task AnInvolvedBody_DesignatesItsContactPerson_ThenHandsOver_AndTheHistoryStays()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var lea = await NewMember(Ccas, "Léa Martin");
        var hugo = await NewMember(Ccas, "Hugo Bernard");

        var first = await Designate(SocialWorker, personId, Ccas, new { memberId = lea });
        var designated = await Json(first, HttpStatusCode.OK);
        Assert.Equal("\"1\"", ETag(first));
        Assert.Equal(("Léa Martin", 1), (designated["current"]!["memberName"]!.GetValue<string>(), designated["version"]!.GetValue<int>()));

        // Later designations need the ETag.
        await AssertProblem(await Designate(SocialWorker, personId, Ccas, new { memberId = hugo }), HttpStatusCode.PreconditionRequired, "precondition-required");
        await AssertProblem(await Designate(SocialWorker, personId, Ccas, new { memberId = hugo }, "\"7\""), HttpStatusCode.PreconditionFailed, "precondition-failed");
        var handover = await Designate(Coordinator, personId, Ccas, new { memberId = hugo, reason = "person_request" }, "\"1\"");
        await Json(handover, HttpStatusCode.OK);
        Assert.Equal("\"3\"", ETag(handover));
        // The same member again changes nothing.
        var same = await Designate(Coordinator, personId, Ccas, new { memberId = hugo }, "\"3\"");
        await Json(same, HttpStatusCode.OK);
        Assert.Equal("\"3\"", ETag(same));

        using var caf = await As(CafAgent);
        // The CAF is not involved yet: nothing.
        await AssertUnknown(await Get(caf, $"persons/{personId}/contact-persons"));
        await SendReferral(SocialWorker, personId, Caf);
        var contacts = await Json(await Get(caf, $"persons/{personId}/contact-persons"), HttpStatusCode.OK);
        var ccas = Assert.Single(contacts["bodies"]!.AsArray())!;
        Assert.Equal(("CCAS de Narbonne", hugo), (ccas["body"]!["name"]!.GetValue<string>(), ccas["current"]!["memberId"]!.GetValue<Guid>()));
        var history = ccas["history"]!.AsArray();
        Assert.Equal([lea, hugo], history.Select(h => h!["memberId"]!.GetValue<Guid>()));
        Assert.Equal("person_request", history[0]!["endReason"]!.GetValue<string>());
        Assert.NotNull(history[0]!["until"]);
        Assert.Null(history[1]!["until"]);

        // The involvement facts: the current contact person counts, the previous one no longer does.
        await using var session = Store.QuerySession();
        Assert.True((await session.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, Ccas, Coordination.Secrecy.InvolvementKind.ContactPerson, hugo)))!.Active);
        Assert.False((await session.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, Ccas, Coordination.Secrecy.InvolvementKind.ContactPerson, lea)))!.Active);
    }

    [Fact]
    public async Task ABodyDesignates_ForItselfOnly_WhenInvolved_AndOnlyOneOfItsCurrentMembers()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var cafMember = await NewMember(Caf, "Claire");
        var ccasMember = await NewMember(Ccas, "Léa");

        await AssertProblem(await Designate(SocialWorker, personId, Caf, new { memberId = cafMember }), HttpStatusCode.Forbidden);
        // The CAF is not involved with the person (a grant alone does not involve it).
        await AssertUnknown(await Designate(CafAgent, personId, Caf, new { memberId = cafMember }));
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { memberId = cafMember }), "memberId");
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { memberId = Guid.CreateVersion7() }), "memberId");
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { memberId = ccasMember, reason = "member_left" }), "reason");
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { memberId = ccasMember, reason = "tired" }), "reason");
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { }), "memberId");
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Put, $"persons/{personId}/contact-persons/{Ccas}", new { memberId = ccasMember }), HttpStatusCode.Forbidden);

        await using var session = Store.QuerySession();
        Assert.Null(await session.Events.FetchStreamStateAsync(ContactPersonIds.Of(personId, Ccas)));
    }

    [Fact]
    public async Task AMemberWhoLeaves_StopsBeingContactPerson_WithMemberLeft_OnceEvenIfTheMessageComesTwice()
    {
        var personId = await PersonWithGrants(Ccas);
        var other = await PersonWithGrants(Ccas);
        var lea = await NewMember(Ccas, "Léa Martin");
        await Json(await Designate(SocialWorker, personId, Ccas, new { memberId = lea }), HttpStatusCode.OK);
        await Json(await Designate(SocialWorker, other, Ccas, new { memberId = lea }), HttpStatusCode.OK);

        var left = new MemberLeft(lea, Ccas, "lea@example.org", new DateOnly(2026, 3, 1), DateTimeOffset.UtcNow);
        var messageId = Guid.CreateVersion7();
        await Bus.Publish(left, c => c.MessageId = messageId);
        await Bus.Publish(left, c => c.MessageId = messageId);

        await Eventually(async s => (await s.LoadAsync<Referrals.Api.ContactPersons.Listing.ContactPersonHistory>(ContactPersonIds.Of(other, Ccas)))?.CurrentMemberId is null
            && (await s.LoadAsync<Referrals.Api.ContactPersons.Listing.ContactPersonHistory>(ContactPersonIds.Of(personId, Ccas)))?.CurrentMemberId is null, "both designations ending");
        await Task.Delay(1000);
        Assert.Equal(2, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_events where type = 'contact_person_ended' and data ->> 'memberId' = '{lea}'"));
        using var ccas = await As(SocialWorker);
        var contacts = await Json(await Get(ccas, $"persons/{personId}/contact-persons"), HttpStatusCode.OK);
        var entry = contacts["bodies"]![0]!;
        Assert.Null(entry["current"]);
        Assert.Equal("member_left", entry["history"]![0]!["endReason"]!.GetValue<string>());

        // A member who left cannot be designated again.
        await AssertInvalid(await Designate(SocialWorker, personId, Ccas, new { memberId = lea }, ETagOf(entry)), "memberId");
    }

    [Fact]
    public async Task ADesignationRacingTheMembersDeparture_FailsOnTheMemberCopy_InsteadOfOutlivingTheMembership()
    {
        var memberId = await NewMember(Ccas, "Léa");
        await using var designation = Store.LightweightSession();
        var seen = (await designation.LoadAsync<MemberCopy>(memberId))!;

        // The departure commits between the designation's read and its commit.
        await using (var departure = Store.LightweightSession())
        {
            var current = (await departure.LoadAsync<MemberCopy>(memberId))!;
            departure.Store(current with { LeftOn = new DateOnly(2026, 3, 1) });
            await departure.SaveChangesAsync();
        }

        designation.Store(seen);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => designation.SaveChangesAsync());
        Assert.Contains("Concurrency", refused.GetType().Name, StringComparison.Ordinal);
    }

    private static string ETagOf(System.Text.Json.Nodes.JsonNode entry) => $"\"{entry["version"]!.GetValue<long>()}\"";
}
