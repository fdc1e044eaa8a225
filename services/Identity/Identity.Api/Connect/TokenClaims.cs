using System.Security.Claims;
using Coordination.ServiceDefaults.Security;
using Identity.Api.Accounts;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Connect;

/// <summary>
/// What an access token says about its holder: <c>sub</c>, <c>name</c>, <c>role</c>, and <c>body_id</c>
/// (professionals) or <c>person_id</c> (persons). Claims are rebuilt from the current account at every
/// token request, so a membership that ended is never carried by a new or refreshed token.
/// </summary>
public static class TokenClaims
{
    public static ClaimsIdentity ForAccount(Account account, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, account.Subject)
            .SetClaim(Claims.Name, account.DisplayName)
            .SetClaim(Claims.PreferredUsername, account.Login);
        if (!string.IsNullOrEmpty(account.Role)) identity.SetClaim(Claims.Role, account.Role);
        if (account.BodyId is { } body) identity.SetClaim(ClaimNames.BodyId, body.ToString());
        if (account.PersonId is { } person) identity.SetClaim(ClaimNames.PersonId, person.ToString());
        return Finish(identity, scopes, resources);
    }

    public static ClaimsIdentity ForClient(string clientId, string displayName, string role, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(Claims.Name, displayName)
            .SetClaim(Claims.Role, role);
        return Finish(identity, scopes, resources);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static ClaimsIdentity Finish(ClaimsIdentity identity, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        identity.SetScopes(scopes);
        identity.SetResources(resources);
        identity.SetDestinations(claim => claim.Type switch
        {
            // The identity token (openid) carries the name; everything goes in the access token.
            Claims.Name or Claims.PreferredUsername => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return identity;
    }
}
