using System.Threading.RateLimiting;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Persistence;
using Coordination.ServiceDefaults.Security;
using Identity.Api;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Activating;
using Identity.Api.Accounts.Inviting;
using Identity.Api.Accounts.LoggingIn;
using Identity.Api.Connect;
using Identity.Api.Demo;
using Identity.Api.Keys;
using Identity.Api.Messaging;
using Identity.Api.Store;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
var service = IdentityApi.Service;

builder.AddServiceDefaults(service, TokenSource.LocalServer);
builder.AddCoordinationMarten(service, AccountModel.Configure);
builder.AddCoordinationMessaging<IdentityContracts>(service, typeof(IdentityApi).Assembly);

builder.Services.AddDbContext<IdentityDbContext>(o =>
{
    o.UseNpgsql(builder.Configuration.GetConnectionString("Identity")
        ?? throw new InvalidOperationException("ConnectionStrings:Identity is not configured."));
    o.UseOpenIddict();
});

var (signing, encryption) = SigningKeys.Load(builder.Configuration, builder.Environment);
var issuer = builder.Configuration["Identity:Issuer"] ?? throw new InvalidOperationException("Identity:Issuer is not configured.");
builder.Services.AddOpenIddict()
    .AddCore(o =>
    {
        o.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>();
        // Lookups of values that hold a NUL find nothing instead of failing in PostgreSQL (Store/NulSafeStores.cs).
        o.ReplaceApplicationStore<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, NulSafeApplicationStore>();
        o.ReplaceScopeStore<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreScope, NulSafeScopeStore>();
    })
    .AddServer(o =>
    {
        o.SetIssuer(new Uri(issuer, UriKind.Absolute));
        o.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetEndSessionEndpointUris("connect/logout")
            .SetUserInfoEndpointUris("connect/userinfo");
        // Code + PKCE for people, client credentials for partner systems, refresh tokens. Never password or implicit.
        o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
            .AllowClientCredentialsFlow()
            .AllowRefreshTokenFlow();
        o.Configure(options => options.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain));
        o.RegisterScopes(["openid", "profile", "offline_access", .. IdentityApi.ApiScopes]);
        o.SetAccessTokenLifetime(builder.Configuration.GetValue<TimeSpan?>("Identity:AccessTokenLifetime") ?? TimeSpan.FromMinutes(5));
        o.SetRefreshTokenLifetime(builder.Configuration.GetValue<TimeSpan?>("Identity:RefreshTokenLifetime") ?? TimeSpan.FromDays(14));
        // Signed, not encrypted: each service validates the JWT itself against the published keys.
        o.DisableAccessTokenEncryption();
        o.AddSigningCertificate(signing).AddEncryptionCertificate(encryption);
        var aspnet = o.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableTokenEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough()
            .EnableUserInfoEndpointPassthrough();
        // Plain HTTP on loopback is for Development only; elsewhere the issuer is HTTPS (behind a proxy, forwarded
        // headers), and a stray setting must not quietly turn the requirement off.
        if (builder.Configuration.GetValue<bool>("Identity:AllowHttp"))
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException("Identity:AllowHttp is only honoured in the Development environment.");
            }
            aspnet.DisableTransportSecurityRequirement();
        }
    });

builder.Services.AddAuthentication()
    .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
    {
        o.LoginPath = "/account/login";
        o.Cookie.Name = "coordination.identity";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
    });
builder.Services.AddAntiforgery(o => o.Cookie.Name = "coordination.antiforgery");
builder.Services.AddDataProtection().SetApplicationName("coordination-identity")
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(
        Path.GetFullPath(builder.Configuration["Identity:KeysPath"] ?? "keys", builder.Environment.ContentRootPath), "data-protection")));
builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.AddPolicy(LoginEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
        http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) }));
});
builder.Services.AddSingleton<Throttle>();
builder.Services.AddSingleton<IInvitationSender, LogInvitationSender>();
builder.Services.AddHostedService<IdentityStoreInitializer>();
if (builder.Configuration.GetValue<bool>("Demo:Seed")) builder.Services.AddHostedService<DemoAccounts>();

var app = builder.Build();
app.UseServiceDefaults();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapConnect();
app.MapGroup("").WithTags("Account").MapLogin().MapActivate().MapSetPassword();

await app.RunServiceAsync();
