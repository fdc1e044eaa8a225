using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Coordination.ServiceDefaults.Security;

public static class AuthSetup
{
    public const string ScopePolicy = "service-scope";

    /// <summary>
    /// Bearer tokens from the one configured issuer, validated against its discovery document: signature,
    /// lifetime, issuer and this service's audience (401 otherwise). Every endpoint then requires this
    /// service's scope (403 otherwise) unless it opts out explicitly (health, OpenAPI).
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationAuth(this IHostApplicationBuilder builder, ServiceInfo service,
        TokenSource tokens = TokenSource.RemoteIssuer)
    {
        builder.Services.AddOpenIddict().AddValidation(o =>
        {
            if (tokens == TokenSource.LocalServer)
            {
                // Identity validates the tokens it issues itself, without a round trip to its own discovery document.
                o.UseLocalServer();
            }
            else
            {
                var authority = builder.Configuration["Auth:Authority"]
                    ?? throw new InvalidOperationException("Auth:Authority (the token issuer) is not configured.");
                o.SetIssuer(new Uri(authority, UriKind.Absolute));
                o.UseSystemNetHttp();
            }
            o.AddAudiences(service.Audience);
            o.UseAspNetCore();
            // OpenIddict checks the expiry itself; the JWT handler is asked to check not-before too.
            o.Configure(options =>
            {
                options.TokenValidationParameters.ValidateLifetime = true;
                options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            });
        });
        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ScopePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, service.Scope)))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, service.Scope)).Build())
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(ClaimNames.Role, Roles.Admin))
            .AddPolicy(Policies.Person, p => p.RequireAuthenticatedUser().RequireClaim(ClaimNames.Role, Roles.Person).RequireClaim(ClaimNames.PersonId))
            .AddPolicy(Policies.Professional, p => p.RequireAuthenticatedUser().RequireClaim(ClaimNames.Role, Roles.Professional).RequireClaim(ClaimNames.BodyId));
        builder.Services.AddScoped(sp => Caller.From(sp.GetRequiredService<IHttpContextAccessor>().HttpContext!.User));
        builder.Services.AddHttpContextAccessor();
        return builder;
    }

    private static bool HasScope(ClaimsPrincipal user, string scope) => user.HasScope(scope);
}

public enum TokenSource
{
    /// <summary>Validate against the configured issuer's discovery document (every service but Identity).</summary>
    RemoteIssuer,
    /// <summary>Validate with the OpenIddict server hosted in the same process (Identity).</summary>
    LocalServer,
}

public static class Policies
{
    /// <summary>Administrators only (people with the admin role, and partner systems registered as admin).</summary>
    public const string Admin = "admin";
    /// <summary>A person acting on their own record.</summary>
    public const string Person = "person";
    /// <summary>A professional member of a body.</summary>
    public const string Professional = "professional";
}
