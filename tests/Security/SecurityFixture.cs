using System.Collections.Concurrent;
using Coordination.Testing;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace Security.Tests;

/// <summary>
/// The five services, started once for the whole suite, with the scenario of <see cref="ScenarioBuilder"/> built
/// through their real APIs before any test runs. Tests read the scenario and never change it (a refused mutation
/// that succeeded would be a finding in itself).
/// </summary>
public sealed class SecurityFixture() : CoordinationFixture(Services.All), IAsyncLifetime
{
    /// <summary>How long one fact may take to travel through RabbitMQ to another service's copies.</summary>
    public static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    public CapturedInvitations Invitations { get; } = new();

    public Scenario Scenario { get; private set; } = null!;

    public Clients Http { get; private set; } = null!;

    /// <summary>
    /// Identity's login form allows 20 tries a minute per address and every test browser is 127.0.0.1: the suite
    /// signs every actor in once, at the start, so tokens must outlive the run (5 minutes otherwise). Activation tries
    /// are limited per address too; the per-code limit is kept.
    /// </summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) => service switch
    {
        "identity" => [new("Identity:AccessTokenLifetime", "02:00:00"), new("Identity:TriesPerAddress", "1000")],
        _ => [],
    };

    /// <summary>This version of Identity sends invitations nowhere: the suite takes the set-password links as they are made.</summary>
    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service != "identity") return;
        collection.RemoveAll<IInvitationSender>();
        collection.AddSingleton<IInvitationSender>(Invitations);
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Http = new Clients(name => Host(name).BaseAddress);
        Scenario = await new ScenarioBuilder(this).BuildAsync();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "security-scenario.txt"), string.Join('\n', Scenario.Timeline));
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync();
}

public sealed class CapturedInvitations : IInvitationSender
{
    public ConcurrentDictionary<string, Uri> Links { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
    {
        Links[login] = link;
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
