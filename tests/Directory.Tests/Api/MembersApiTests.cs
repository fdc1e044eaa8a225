using System.Net;
using Directory.Api.Demo;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class MembersApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private static string NewEmail() => $"pro-{Guid.NewGuid().ToString("N")[..10]}@example.org";

    private async Task<Guid> AddMember(Guid bodyId, string email, string role = "social_worker", HttpClient? client = null)
    {
        using var admin = client is null ? await Admin() : null;
        var response = await Send(client ?? admin!, HttpMethod.Post, $"bodies/{bodyId}/members",
            new { email, displayName = "Léa Martin", role, from = "2025-09-01", phone = "06 12 34 56 78" });
        return (await Json(response, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task Add_ThenTheMemberIsListed_WithContactDetailsForProfessionalsOnly()
    {
        var bodyId = await NewBody();
        var email = NewEmail();
        var id = await AddMember(bodyId, email);

        using var worker = await As(CafAgent);
        var (_, page) = await Get(worker, $"bodies/{bodyId}/members");
        var member = Assert.Single(page["items"]!.AsArray())!;
        Assert.Equal(id, member["id"]!.GetValue<Guid>());
        Assert.Equal(email, member["email"]!.GetValue<string>());
        Assert.Equal("+33612345678", member["phone"]!.GetValue<string>());
        Assert.Equal("2025-09-01", member["from"]!.GetValue<string>());
        Assert.Equal(1, member["version"]!.GetValue<long>());

        using var partner = await Admin();
        var (read, seenByPartner) = await Get(partner, $"bodies/{bodyId}/members/{id}");
        Assert.Equal("\"1\"", ETag(read));
        Assert.Equal("Léa Martin", seenByPartner["displayName"]!.GetValue<string>());
        Assert.Null(seenByPartner["email"]);
        Assert.Null(seenByPartner["phone"]);

        var joined = await Fixture.Database.Scalar<string>($"select data ->> 'email' from directory.mt_events where stream_id = '{id}' and type = 'member_joined'");
        Assert.Equal(email, joined);
    }

    [Fact]
    public async Task Add_ASecondActiveMembership_Answers409_InAnyBody()
    {
        var email = NewEmail();
        await AddMember(await NewBody(), email);
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{await NewBody()}/members",
            new { email = email.ToUpperInvariant(), displayName = "Léa", role = "volunteer" }), HttpStatusCode.Conflict, "already-a-member");
        // The demo social worker is a member of the CCAS already.
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{Caf}/members",
            new { email = SocialWorker, displayName = "Sophie", role = "social_worker" }), HttpStatusCode.Conflict, "already-a-member");
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","displayName":"Léa","role":"social_worker"}""", "email")]
    [InlineData("""{"email":"lea@example.org","displayName":"Léa","role":"director"}""", "role")]
    [InlineData("""{"email":"lea@example.org","role":"social_worker"}""", "displayName")]
    [InlineData("""{"email":"lea@example.org","displayName":"Léa","role":"social_worker","from":"tomorrow"}""", "from")]
    public async Task Add_WithABadField_Answers400NamingIt(string json, string field)
    {
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, $"bodies/{await NewBody()}/members", json), field);
    }

    [Fact]
    public async Task Add_ByTheCoordinatorOfTheBody_IsAllowed_ButNotInAnotherBody()
    {
        using var coordinator = await As(Coordinator);
        await AddMember(Ccas, NewEmail(), "peer_worker", coordinator);
        await AssertProblem(await Send(coordinator, HttpMethod.Post, $"bodies/{Caf}/members",
            new { email = NewEmail(), displayName = "Léa", role = "social_worker" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Remove_EndsTheMembership_WithIfMatch_AndThenTheProfessionalMayJoinAgain()
    {
        var bodyId = await NewBody();
        var email = NewEmail();
        var id = await AddMember(bodyId, email);
        using var admin = await Admin();
        var url = $"bodies/{bodyId}/members/{id}";

        await AssertProblem(await Send(admin, HttpMethod.Delete, url), HttpStatusCode.PreconditionRequired);
        await AssertProblem(await Send(admin, HttpMethod.Delete, $"bodies/{Caf}/members/{id}", ifMatch: "\"1\""), HttpStatusCode.NotFound);
        var response = await Send(admin, HttpMethod.Delete, url, ifMatch: "\"1\"");
        var ended = await Json(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(response));
        Assert.False(ended["active"]!.GetValue<bool>());
        Assert.NotNull(ended["until"]);

        await AssertProblem(await Send(admin, HttpMethod.Delete, url, ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed);
        await AssertProblem(await Send(admin, HttpMethod.Delete, url, ifMatch: "\"2\""), HttpStatusCode.Conflict, "member-already-left");

        var (_, active) = await Get(admin, $"bodies/{bodyId}/members");
        Assert.Empty(active["items"]!.AsArray());
        var (_, all) = await Get(admin, $"bodies/{bodyId}/members?includeFormer=true");
        Assert.Single(all["items"]!.AsArray());

        await AddMember(await NewBody(), email);
        var left = await Fixture.Database.Scalar<string>($"select data ->> 'email' from directory.mt_events where stream_id = '{id}' and type = 'member_left'");
        Assert.Equal(email, left);
    }

    [Fact]
    public async Task Members_OfAnUnknownBody_Answer404()
    {
        using var admin = await Admin();
        await AssertProblem(await admin.GetAsync(new Uri($"bodies/{Guid.CreateVersion7()}/members", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{Guid.CreateVersion7()}/members",
            new { email = NewEmail(), displayName = "Léa", role = "social_worker" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DemoSeed_MadeTheProfessionalLoginsMembersOfTheirBodies()
    {
        using var admin = await Admin();
        var (_, member) = await Get(admin, $"bodies/{Ccas}/members/{DemoSeed.MemberIdOf(Coordinator)}");
        Assert.Equal("coordinator", member["role"]!.GetValue<string>());
        Assert.True(member["active"]!.GetValue<bool>());
    }
}
