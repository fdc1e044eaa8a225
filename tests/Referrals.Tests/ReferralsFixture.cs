using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Referrals.Tests;

/// <summary>
/// Identity (the token issuer), Directory and Referrals, started once for the project. Consents and
/// Appointments are not started: their contracts are published by the tests themselves on Referrals' bus.
/// </summary>
public sealed class ReferralsFixture() : CoordinationFixture(Services.Identity | Services.Directory | Services.Referrals), IAsyncLifetime
{
    public new async Task InitializeAsync()
    {
        // The base fixture rewinds every outbox once all queues exist; wait for Directory's demo bodies.
        await base.InitializeAsync();
        var store = Referrals.Services.GetRequiredService<IDocumentStore>();
        await AssertEventually(async () =>
        {
            await using var session = store.QuerySession();
            var bodies = await session.LoadManyAsync<BodyCopy>(DemoData.Bodies.Select(b => b.Id).ToArray());
            return bodies.Count == DemoData.Bodies.Length;
        }, TimeSpan.FromSeconds(60), "the demo bodies reaching Referrals");
    }
}

[CollectionDefinition(Name)]
public sealed class ReferralsCollection : ICollectionFixture<ReferralsFixture>
{
    public const string Name = "referrals";
}
