using System.Collections.Concurrent;
using Coordination.Testing;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace Identity.Tests;

/// <summary>Identity alone, with the invitation channel captured (this version has no mail) and a low try limit.</summary>
public sealed class IdentityFixture() : CoordinationFixture(Services.Identity)
{
    public CapturedInvitations Invitations { get; } = new();

    /// <summary>Every test browser comes from 127.0.0.1: the per-address limit is raised, the per-code one kept.</summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        [new("Identity:TriesPerAddress", "1000")];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.RemoveAll<IInvitationSender>();
        collection.AddSingleton<IInvitationSender>(Invitations);
    }
}

public sealed class CapturedInvitations : IInvitationSender
{
    public ConcurrentDictionary<string, Uri> Links { get; } = new();

    public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
    {
        Links[login] = link;
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityCollection : ICollectionFixture<IdentityFixture>
{
    public const string Name = "identity";
}
