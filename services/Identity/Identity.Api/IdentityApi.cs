using Coordination.ServiceDefaults;

namespace Identity.Api;

/// <summary>Marks this service's assembly (tests host it with WebApplicationFactory&lt;IdentityApi&gt;).</summary>
public sealed class IdentityApi
{
    public static readonly ServiceInfo Service = new("identity", "Identity",
        "The authorisation server (OpenIddict): logins of professionals and persons, OAuth clients and scopes, the login and activation pages.")
    {
        DefaultPort = 5100,
    };

    /// <summary>The resource servers: each is a scope and the audience of the same name.</summary>
    public static readonly string[] ApiScopes = ["directory", "consents", "referrals", "appointments"];
}
