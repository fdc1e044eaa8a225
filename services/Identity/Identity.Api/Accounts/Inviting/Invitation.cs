using System.Security.Cryptography;
using System.Text;
using Identity.Api.Accounts.Attaching;
using Identity.Api.Pages;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Identity.Api.Accounts.Inviting;

/// <summary>A one-time set-password link for an invited professional: only its SHA-256 is kept.</summary>
public sealed record PasswordSetup(string Id, Guid AccountId, DateTimeOffset ExpiresAt, bool Used);

/// <summary>How an invitation reaches the professional. This version has no mail: Development writes the link to the log.</summary>
public interface IInvitationSender
{
    Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct);
}

public sealed class LogInvitationSender(ILogger<LogInvitationSender> logger, IHostEnvironment environment) : IInvitationSender
{
    public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
    {
        // The link is a secret: it is written only where there are no real users.
        if (environment.IsDevelopment()) logger.LogInformation("Set-password link for account {AccountId}: {Link}", accountId, link);
        else logger.LogInformation("Invitation created for account {AccountId}; no mail channel is configured", accountId);
        return Task.CompletedTask;
    }
}

public static class Invitations
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Creates the link in the caller's session; the caller sends it after committing.</summary>
    public static (PasswordSetup Setup, Uri Link) Create(IDocumentSession session, Guid accountId, Uri publicBase, DateTimeOffset now)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var setup = new PasswordSetup(Hash(token), accountId, now + Lifetime, Used: false);
        session.Store(setup);
        return (setup, new Uri(publicBase, "account/set-password?token=" + Uri.EscapeDataString(token)));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

public sealed record SetPasswordForm(string? Token, string? Password, string? PasswordConfirmation);

/// <summary>Professionals never self-register: they set their password from the link their invitation carried.</summary>
public static class SetPasswordEndpoints
{
    public static RouteGroupBuilder MapSetPassword(this RouteGroupBuilder group)
    {
        group.MapGet("/account/set-password", (HttpContext http, IAntiforgery antiforgery, [FromQuery] string? token) =>
                Form(http, antiforgery, token, null, StatusCodes.Status200OK))
            .AllowAnonymous()
            .WithName("showSetPasswordPage")
            .WithSummary("Set-password page of an invited professional (HTML)")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        group.MapPost("/account/set-password", Submit)
            .AllowAnonymous()
            .WithName("submitSetPassword")
            .WithSummary("Set the password of an invited professional")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status429TooManyRequests, "text/html");
        return group;
    }

    private static async Task<IResult> Submit(HttpContext http, IAntiforgery antiforgery, IDocumentSession session, Throttle throttle,
        TimeProvider time, [FromForm] SetPasswordForm form)
    {
        var hash = Invitations.Hash(form.Token ?? "");
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!await throttle.TryAsync(session, address, "setup:" + hash, http.RequestAborted))
        {
            return Form(http, antiforgery, form.Token, "Trop d'essais. Réessayez dans 15 minutes.", StatusCodes.Status429TooManyRequests);
        }
        if ((form.Password ?? "").Length < 10 || form.Password != form.PasswordConfirmation)
        {
            return Form(http, antiforgery, form.Token, "Le mot de passe comporte au moins 10 caractères, saisis deux fois à l'identique.", StatusCodes.Status400BadRequest);
        }
        var setup = await session.LoadAsync<PasswordSetup>(hash, http.RequestAborted);
        if (setup is null || setup.Used || setup.ExpiresAt <= time.GetUtcNow())
        {
            return Form(http, antiforgery, null, "Ce lien n'est plus valable. Demandez une nouvelle invitation au coordinateur de votre organisme.", StatusCodes.Status400BadRequest);
        }
        session.Events.Append(setup.AccountId, new PasswordSet(setup.AccountId, Passwords.Hash(form.Password!)));
        session.Store(setup with { Used = true });
        await session.SaveChangesAsync(http.RequestAborted);
        return Html.Page("Mot de passe enregistré", "<p>Votre mot de passe est enregistré. Vous pouvez vous connecter.</p>");
    }

    private static IResult Form(HttpContext http, IAntiforgery antiforgery, string? token, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = Html.Error(error) +
            "<form method=\"post\" action=\"/account/set-password\">\n" +
            Html.Hidden(tokens.FormFieldName, tokens.RequestToken) +
            Html.Hidden("token", token) +
            "<label for=\"password\">Nouveau mot de passe (au moins 10 caractères)</label>\n" +
            "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\n" +
            "<label for=\"passwordConfirmation\">Nouveau mot de passe, une deuxième fois</label>\n" +
            "<input id=\"passwordConfirmation\" name=\"passwordConfirmation\" type=\"password\" autocomplete=\"new-password\" required>\n" +
            "<button type=\"submit\">Enregistrer</button>\n</form>\n";
        return Html.Page("Choisir mon mot de passe", body, status);
    }
}
