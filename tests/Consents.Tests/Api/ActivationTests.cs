using System.Net;
using Consents.Api.Persons.Activating;
using Xunit;
using static Consents.Tests.TestKit;
using Contracts = Consents.Contracts;

namespace Consents.Tests.Api;

[Collection(ConsentsCollection.Name)]
public sealed class ActivationTests(ConsentsFixture fixture)
{
    [Fact]
    public async Task IssueActivationCode_ByTheRegisteringBody_VoidsThePreviousOne_AndPublishesTheNewHash()
    {
        var person = await fixture.Register();
        using var coordinator = await fixture.As("coordinator@demo");

        using var response = await coordinator.Send(HttpMethod.Post, $"persons/{person.Id}/activation-code", ifMatch: "\"2\"");

        var issued = await response.ExpectJson(HttpStatusCode.OK);
        var code = issued["activationCode"]!.GetValue<string>();
        Assert.NotEqual(person.ActivationCode, code);
        Assert.Equal(10, code.Length);
        Assert.Equal("\"3\"", response.ETag());
        Assert.Equal(fixture.Clock.GetUtcNow().AddDays(30), issued["expiresAt"]!.GetValue<DateTimeOffset>());
        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.PersonActivationIssued>()
            .Any(a => a.PersonId == person.Id && a.CodeSha256 == ActivationCodes.Hash(code))), "the new code's hash published");

        await Expect(await coordinator.Send(HttpMethod.Post, $"persons/{person.Id}/activation-code", ifMatch: "\"2\""), HttpStatusCode.PreconditionFailed);
        await Expect(await coordinator.Send(HttpMethod.Post, $"persons/{person.Id}/activation-code"), HttpStatusCode.PreconditionRequired);
    }

    [Fact]
    public async Task IssueActivationCode_ByAnotherBody_IsTheUnknownIdAnswer_AndByThePersonThemself_Is403()
    {
        var person = await fixture.Register();
        using var caf = await fixture.As("caf-agent@demo");
        using var me = await fixture.As("person@demo");

        await AssertUnknownIdAnswer(await caf.Send(HttpMethod.Post, $"persons/{person.Id}/activation-code", ifMatch: "\"2\""),
            await caf.Send(HttpMethod.Post, $"persons/{Guid.NewGuid()}/activation-code", ifMatch: "\"2\""));
        await Expect(await me.Send(HttpMethod.Post, $"persons/{Coordination.ServiceDefaults.Demo.DemoData.Person}/activation-code", ifMatch: "\"2\""),
            HttpStatusCode.Forbidden);
    }
}
