using System.Net;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class PartnerContactApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private async Task<Guid> Member(Guid bodyId, string name)
    {
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/members",
            new { email = $"{Guid.NewGuid():N}@example.org", displayName = name, role = "social_worker" });
        return (await Json(response, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task Designate_ThenHandOver_ThenTheContactLeaves_KeepsADatedHistory()
    {
        var bodyId = await NewBody();
        var alice = await Member(bodyId, "Alice");
        var bruno = await Member(bodyId, "Bruno");
        using var admin = await Admin();
        var url = $"bodies/{bodyId}/partner-contact";

        var first = await Send(admin, HttpMethod.Put, url, new { memberId = alice }, ifMatch: "\"1\"");
        var view = await Json(first, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(first));
        Assert.Equal(alice, view["current"]!["memberId"]!.GetValue<Guid>());

        var second = await Send(admin, HttpMethod.Put, url, new { memberId = bruno, reason = "other" }, ifMatch: "\"2\"");
        await Json(second, HttpStatusCode.OK);
        Assert.Equal("\"4\"", ETag(second));

        await Json(await Send(admin, HttpMethod.Delete, $"bodies/{bodyId}/members/{bruno}", ifMatch: "\"1\""), HttpStatusCode.OK);

        var (read, history) = await Get(admin, $"{url}/history");
        Assert.Equal("\"5\"", ETag(read));
        Assert.Null(history["current"]);
        var entries = history["history"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("Alice", "other"), (entries[0]!["displayName"]!.GetValue<string>(), entries[0]!["endReason"]!.GetValue<string>()));
        Assert.Equal(("Bruno", "member_left"), (entries[1]!["displayName"]!.GetValue<string>(), entries[1]!["endReason"]!.GetValue<string>()));
        Assert.NotNull(entries[1]!["until"]);
        Assert.Null(entries[0]!["email"]); // the partner system is not a professional

        using var worker = await As(CafAgent);
        var (_, seenByProfessional) = await Get(worker, $"{url}/history");
        Assert.EndsWith("@example.org", seenByProfessional["history"]![0]!["email"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Designate_ALeftMemberOrAMemberOfAnotherBody_Answers400NamingMemberId()
    {
        var bodyId = await NewBody();
        var elsewhere = await Member(await NewBody(), "Chloé");
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = elsewhere }, ifMatch: "\"1\""), "memberId");
        await AssertInvalid(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = Guid.CreateVersion7() }, ifMatch: "\"1\""), "memberId");
        var member = await Member(bodyId, "Denis");
        await AssertInvalid(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = member, reason = "member_left" }, ifMatch: "\"1\""), "reason");
        await AssertInvalid(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", """{"memberId":"denis"}""", ifMatch: "\"1\""), "memberId");
    }

    [Fact]
    public async Task Designate_NeedsIfMatch_AndTheRightToManageTheBody()
    {
        var bodyId = await NewBody();
        var member = await Member(bodyId, "Emma");
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = member }), HttpStatusCode.PreconditionRequired);
        await AssertProblem(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = member }, ifMatch: "\"7\""), HttpStatusCode.PreconditionFailed);
        await AssertProblem(await Send(admin, HttpMethod.Put, $"bodies/{Guid.CreateVersion7()}/partner-contact", new { memberId = member }, ifMatch: "\"1\""), HttpStatusCode.NotFound);
        using var coordinator = await As(Coordinator);
        await AssertProblem(await Send(coordinator, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = member }, ifMatch: "\"1\""), HttpStatusCode.Forbidden);
        await AssertProblem(await admin.GetAsync(new Uri($"bodies/{Guid.CreateVersion7()}/partner-contact/history", UriKind.Relative)), HttpStatusCode.NotFound);
    }
}
