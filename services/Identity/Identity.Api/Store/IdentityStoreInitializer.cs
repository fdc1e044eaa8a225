using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Store;

/// <summary>
/// Creates OpenIddict's tables and registers the API scopes (each scope names the audience of the same
/// service). With Demo:Seed it also registers the demo clients. Idempotent.
/// </summary>
public sealed class IdentityStoreInitializer(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);

        var scopes = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        foreach (var name in IdentityApi.ApiScopes)
        {
            if (await scopes.FindByNameAsync(name, cancellationToken) is not null) continue;
            await scopes.CreateAsync(new OpenIddictScopeDescriptor
            {
                Name = name,
                DisplayName = $"Coordination {name} API",
                Resources = { name },
            }, cancellationToken);
        }

        if (configuration.GetValue<bool>("Demo:Seed"))
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            await SeedDemoClients(applications, cancellationToken);
        }
    }

    private static async Task SeedDemoClients(IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        if (await applications.FindByClientIdAsync(DemoClients.Partner, ct) is null)
        {
            var partner = new OpenIddictApplicationDescriptor
            {
                ClientId = DemoClients.Partner,
                ClientSecret = DemoClients.PartnerSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Demo partner system",
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
                // An admin client: manages the directory; like every admin it reads no person data.
                Properties = { ["role"] = JsonSerializer.SerializeToElement("admin") },
            };
            foreach (var s in IdentityApi.ApiScopes) partner.Permissions.Add(Permissions.Prefixes.Scope + s);
            await applications.CreateAsync(partner, ct);
        }
        if (await applications.FindByClientIdAsync(DemoClients.Spa, ct) is null)
        {
            var spa = new OpenIddictApplicationDescriptor
            {
                ClientId = DemoClients.Spa,
                ClientType = ClientTypes.Public,
                DisplayName = "Demo single-page application",
                RedirectUris = { new Uri(DemoClients.SpaRedirect) },
                PostLogoutRedirectUris = { new Uri("http://127.0.0.1:5199/") },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "offline_access",
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            foreach (var s in IdentityApi.ApiScopes) spa.Permissions.Add(Permissions.Prefixes.Scope + s);
            await applications.CreateAsync(spa, ct);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DemoClients
{
    public const string Partner = "demo-partner";
    public const string PartnerSecret = "demo-partner-secret";
    public const string Spa = "demo-spa";
    public const string SpaRedirect = "http://127.0.0.1:5199/callback";
}
