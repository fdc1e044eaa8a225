using System.Collections.Immutable;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace Identity.Api.Store;

// PostgreSQL refuses a NUL character in text outright (22021), so a client_id, scope or redirect URI carrying one
// made OpenIddict's lookup fail with a 500 instead of the OAuth error any unknown value gets. No client, scope or
// registered URI holds a NUL: such a value is simply not found, and OpenIddict answers as for any other unknown one
// (the same choice as the login form's).

/// <summary>OpenIddict's EF Core application store, finding nothing for an identifier or URI that holds a NUL.</summary>
public sealed class NulSafeApplicationStore(IMemoryCache cache, IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options) : OpenIddictEntityFrameworkCoreApplicationStore(cache, context, options)
{
    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken) =>
        NulSafe.Holds(identifier) ? ValueTask.FromResult<OpenIddictEntityFrameworkCoreApplication?>(null) : base.FindByClientIdAsync(identifier, cancellationToken);

    public override IAsyncEnumerable<OpenIddictEntityFrameworkCoreApplication> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        NulSafe.Holds(uri) ? AsyncEnumerable.Empty<OpenIddictEntityFrameworkCoreApplication>() : base.FindByRedirectUriAsync(uri, cancellationToken);

    public override IAsyncEnumerable<OpenIddictEntityFrameworkCoreApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        NulSafe.Holds(uri) ? AsyncEnumerable.Empty<OpenIddictEntityFrameworkCoreApplication>() : base.FindByPostLogoutRedirectUriAsync(uri, cancellationToken);
}

/// <summary>OpenIddict's EF Core scope store, finding no scope whose requested name holds a NUL.</summary>
public sealed class NulSafeScopeStore(IMemoryCache cache, IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options) : OpenIddictEntityFrameworkCoreScopeStore(cache, context, options)
{
    public override ValueTask<OpenIddictEntityFrameworkCoreScope?> FindByNameAsync(string name, CancellationToken cancellationToken) =>
        NulSafe.Holds(name) ? ValueTask.FromResult<OpenIddictEntityFrameworkCoreScope?>(null) : base.FindByNameAsync(name, cancellationToken);

    public override IAsyncEnumerable<OpenIddictEntityFrameworkCoreScope> FindByNamesAsync(ImmutableArray<string> names, CancellationToken cancellationToken) =>
        base.FindByNamesAsync([.. names.Where(n => !NulSafe.Holds(n))], cancellationToken);
}

internal static class NulSafe
{
    public static bool Holds(string? value) => value?.Contains('\0', StringComparison.Ordinal) == true;
}
