using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Identity.Api.Accounts;
using Marten;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Connect;

/// <summary>
/// The pass-through endpoints of the OpenIddict server. OpenIddict has already validated the request
/// (client, redirect URI, PKCE, grant type) when these run; they decide who the token is for.
/// </summary>
public static class ConnectEndpoints
{
    public static void MapConnect(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)Authorize).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/connect/token", (Delegate)Token).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)Logout).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/connect/userinfo", ["GET", "POST"], (Delegate)UserInfo).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> Authorize(HttpContext http, IQuerySession session, IOpenIddictApplicationManager applications,
        IOpenIddictScopeManager scopes)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var cookie = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!cookie.Succeeded || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not logged in.");
            }
            var returnUrl = http.Request.PathBase + http.Request.Path + QueryString.Create(
                http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList());
            return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var account = await FindAccount(session, cookie.Principal!.FindFirstValue(Claims.Subject), http.RequestAborted);
        if (account is null || account.Disabled)
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Forbid(Errors.AccessDenied, "This account cannot sign in.");
        }
        var granted = request.GetScopes();
        var resources = await AudiencesOf(applications, scopes, request.ClientId!, http.RequestAborted);
        return Results.SignIn(new ClaimsPrincipal(TokenClaims.ForAccount(account, granted, resources)),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Token(HttpContext http, IQuerySession session, IOpenIddictApplicationManager applications,
        IOpenIddictScopeManager scopes)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted)
                ?? throw new InvalidOperationException("The client was validated by OpenIddict but cannot be found.");
            var properties = await applications.GetPropertiesAsync(application, http.RequestAborted);
            var role = properties.TryGetValue("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "partner_system";
            var name = await applications.GetDisplayNameAsync(application, http.RequestAborted) ?? request.ClientId!;
            var granted = request.GetScopes();
            var resources = await AudiencesOf(applications, scopes, request.ClientId!, http.RequestAborted);
            return Results.SignIn(new ClaimsPrincipal(TokenClaims.ForClient(request.ClientId!, name, role, granted, resources)),
                authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var previous = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var account = await FindAccount(session, previous?.FindFirstValue(Claims.Subject), http.RequestAborted);
            if (account is null || account.Disabled)
            {
                return Forbid(Errors.InvalidGrant, "The account no longer exists or is disabled.");
            }
            if (previous?.FindFirstValue("body_id") is { } body && account.BodyId?.ToString() != body)
            {
                // The membership behind this grant ended (or moved): the holder must sign in again.
                return Forbid(Errors.InvalidGrant, "The membership this session was opened with has ended.");
            }
            var granted = previous!.GetScopes();
            var resources = await AudiencesOf(applications, scopes, request.ClientId!, http.RequestAborted);
            return Results.SignIn(new ClaimsPrincipal(TokenClaims.ForAccount(account, granted, resources)),
                authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> Logout(HttpContext http)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme],
            properties: new AuthenticationProperties { RedirectUri = "/" });
    }

    private static async Task<IResult> UserInfo(HttpContext http, IQuerySession session)
    {
        var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (principal is not null && !principal.HasScope(Scopes.OpenId))
        {
            // OpenID Connect Core 5.3: userinfo answers tokens granted openid; any other valid token is refused (RFC 6750 3.1).
            return Forbid(Errors.InsufficientScope, "The access token was not granted the openid scope.");
        }
        var account = await FindAccount(session, principal?.FindFirstValue(Claims.Subject), http.RequestAborted);
        if (account is null)
        {
            return Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The account no longer exists.",
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Subject] = account.Subject,
            [Claims.Name] = account.DisplayName,
            [Claims.PreferredUsername] = account.Login,
        };
        if (!string.IsNullOrEmpty(account.Role)) claims[Claims.Role] = account.Role;
        if (account.BodyId is { } b) claims["body_id"] = b;
        if (account.PersonId is { } p) claims["person_id"] = p;
        return Results.Ok(claims);
    }

    private static async Task<Account?> FindAccount(IQuerySession session, string? subject, CancellationToken ct) =>
        Guid.TryParse(subject, out var id) ? await session.LoadAsync<Account>(id, ct) : null;

    /// <summary>
    /// The audiences of a token are the services its client may call at all; the scopes are what was asked
    /// for. A service thus tells a token meant for another system (wrong audience: 401) from a token of a
    /// known client that was not granted its scope (403). See docs/adr/0003-openiddict.md.
    /// </summary>
    private static async Task<ImmutableArray<string>> AudiencesOf(IOpenIddictApplicationManager applications,
        IOpenIddictScopeManager scopes, string clientId, CancellationToken ct)
    {
        var application = await applications.FindByClientIdAsync(clientId, ct)
            ?? throw new InvalidOperationException("The client was validated by OpenIddict but cannot be found.");
        var permitted = (await applications.GetPermissionsAsync(application, ct))
            .Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(p => p[Permissions.Prefixes.Scope.Length..])
            .ToImmutableArray();
        var resources = new List<string>();
        await foreach (var resource in scopes.ListResourcesAsync(permitted, ct)) resources.Add(resource);
        return [.. resources.Distinct()];
    }

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
