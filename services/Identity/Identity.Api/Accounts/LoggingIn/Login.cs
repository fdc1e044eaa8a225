using System.Security.Claims;
using Identity.Api.Accounts.Attaching;
using Identity.Api.Pages;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Identity.Api.Accounts.LoggingIn;

public sealed record LoginForm(string? Login, string? Password, string? ReturnUrl);

/// <summary>
/// The login page of the authorization code flow: a plain form, antiforgery-protected, rate-limited. On
/// success it sets Identity's own cookie and sends the browser back to /connect/authorize.
/// </summary>
public static class LoginEndpoints
{
    public const string RateLimitPolicy = "login";

    public static RouteGroupBuilder MapLogin(this RouteGroupBuilder group)
    {
        group.MapGet("/account/login", Show)
            .AllowAnonymous()
            .WithName("showLoginPage")
            .WithSummary("Login page (HTML)")
            .WithDescription("Plain French HTML form used by the authorization code flow; works without JavaScript.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        group.MapPost("/account/login", Submit)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("submitLogin")
            .WithSummary("Submit the login form")
            .WithDescription("Checks the login and password, then redirects to the return URL of the authorization request.")
            .Produces(StatusCodes.Status302Found)
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status401Unauthorized, "text/html")
            .Produces(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static IResult Show(HttpContext http, IAntiforgery antiforgery, [FromQuery] string? returnUrl) =>
        Form(http, antiforgery, null, returnUrl, null, StatusCodes.Status200OK);

    private static async Task<IResult> Submit(HttpContext http, IAntiforgery antiforgery, IQuerySession session,
        [FromForm] LoginForm? form)
    {
        // A form with none of its fields (the antiforgery token alone, say) binds to no object at all.
        form ??= new LoginForm(null, null, null);
        if (string.IsNullOrWhiteSpace(form.Login) || string.IsNullOrEmpty(form.Password))
        {
            return Form(http, antiforgery, form.Login, form.ReturnUrl, "Indiquez votre identifiant et votre mot de passe.", StatusCodes.Status400BadRequest);
        }
        var login = Logins.Normalize(form.Login);
        // No login holds a control character, and PostgreSQL refuses a NUL in text outright (a 500 before): such a
        // login is simply not found, with the same answer as any wrong one.
        var account = login.Any(char.IsControl) ? null
            : await session.Query<Account>().FirstOrDefaultAsync(a => a.Login == login, http.RequestAborted);
        if (account is null || !account.CanSignIn || !Passwords.Verify(account.PasswordHash!, form.Password))
        {
            // One message whatever failed: the page never tells whether a login exists.
            return Form(http, antiforgery, form.Login, form.ReturnUrl, "Identifiant ou mot de passe incorrect.", StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, "name", "role");
        identity.AddClaim(new Claim("sub", account.Subject));
        identity.AddClaim(new Claim("name", account.DisplayName));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(SafeReturnUrl(form.ReturnUrl));
    }

    private static IResult Form(HttpContext http, IAntiforgery antiforgery, string? login, string? returnUrl, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = Html.Error(error) +
            "<form method=\"post\" action=\"/account/login\">\n" +
            Html.Hidden(tokens.FormFieldName, tokens.RequestToken) +
            Html.Hidden("returnUrl", SafeReturnUrl(returnUrl)) +
            "<label for=\"login\">Identifiant</label>\n" +
            $"<input id=\"login\" name=\"login\" type=\"text\" autocomplete=\"username\" required value=\"{Html.E(login)}\">\n" +
            "<label for=\"password\">Mot de passe</label>\n" +
            "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n" +
            "<button type=\"submit\">Se connecter</button>\n</form>\n" +
            "<p>Première connexion ? <a href=\"/account/activate\">Activer mon compte avec le code reçu</a>.</p>";
        return Html.Page("Connexion", body, status);
    }

    /// <summary>Only a local path may follow a login: never another site (open redirect).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
