using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Identity.Api.Accounts.Attaching;
using Identity.Api.Pages;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Identity.Api.Accounts.Activating;

public sealed record ActivateForm(string? Code, string? Login, string? Password, string? PasswordConfirmation);

/// <summary>
/// A person turns the code their social worker gave them into a login of their choice (they may have no
/// email), with a password. Plain French HTML, no JavaScript; at most a few tries per code and per address.
/// </summary>
public static partial class ActivateEndpoints
{
    public const int MinimumPasswordLength = 8;

    public static RouteGroupBuilder MapActivate(this RouteGroupBuilder group)
    {
        group.MapGet("/account/activate", (HttpContext http, IAntiforgery antiforgery) => Form(http, antiforgery, null, null, StatusCodes.Status200OK))
            .AllowAnonymous()
            .WithName("showActivationPage")
            .WithSummary("Account activation page (HTML)")
            .WithDescription("Plain French HTML form: activation code, chosen login and password. Works without JavaScript.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        group.MapPost("/account/activate", Submit)
            .AllowAnonymous()
            .WithName("submitActivation")
            .WithSummary("Activate a person's login with their code")
            .WithDescription("Creates the person's login, voids the code. At most 5 tries per 15 minutes per address and per code.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status429TooManyRequests, "text/html");
        return group;
    }

    private static async Task<IResult> Submit(HttpContext http, IAntiforgery antiforgery, IDocumentSession session, Throttle throttle,
        TimeProvider time, [FromForm] ActivateForm? form)
    {
        // A form with none of its fields (the antiforgery token alone, say) binds to no object at all.
        form ??= new ActivateForm(null, null, null, null);
        var code = Normalize(form.Code);
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
        if (!await throttle.TryAsync(session, address, "activation:" + hash, http.RequestAborted))
        {
            return Form(http, antiforgery, form.Login, "Trop d'essais. Réessayez dans 15 minutes.", StatusCodes.Status429TooManyRequests);
        }

        var login = form.Login?.Trim() ?? "";
        if (code.Length != 10 || !LoginPattern().IsMatch(login) || (form.Password ?? "").Length < MinimumPasswordLength
            || form.Password != form.PasswordConfirmation)
        {
            return Form(http, antiforgery, form.Login, Explain(code, login, form), StatusCodes.Status400BadRequest);
        }

        var now = time.GetUtcNow();
        var activation = await session.Query<ActivationCode>().FirstOrDefaultAsync(a => a.CodeSha256 == hash, http.RequestAborted);
        if (activation is null || activation.Used || activation.ExpiresAt <= now)
        {
            return Form(http, antiforgery, form.Login, "Ce code n'est pas valable. Demandez un nouveau code à la personne qui vous accompagne.", StatusCodes.Status400BadRequest);
        }

        var normalized = Logins.Normalize(login);
        var existing = await session.Query<Account>().FirstOrDefaultAsync(a => a.PersonId == activation.PersonId, http.RequestAborted);
        if (existing is null && await session.Query<Account>().AnyAsync(a => a.Login == normalized, http.RequestAborted))
        {
            return Form(http, antiforgery, form.Login, "Cet identifiant est déjà pris. Choisissez-en un autre.", StatusCodes.Status400BadRequest);
        }

        if (existing is null)
        {
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Account>(id, new AccountCreated(id, normalized, "Personne", Passwords.Hash(form.Password!),
                Coordination.ServiceDefaults.Security.Roles.Person, null, activation.PersonId, "activation"));
        }
        else
        {
            // A reissued code lets the person choose a new password; their login stays the one they chose first.
            session.Events.Append(existing.Id, new PasswordSet(existing.Id, Passwords.Hash(form.Password!)));
            normalized = existing.Login;
        }
        session.Store(activation with { Used = true });
        await session.SaveChangesAsync(http.RequestAborted);

        return Html.Page("Compte activé",
            $"<p>Votre compte est activé. Votre identifiant est <strong>{Html.E(normalized)}</strong>.</p>\n" +
            "<p>Vous pouvez maintenant vous connecter pour voir ce que vous partagez, avec qui, et qui a consulté vos informations.</p>");
    }

    private static string Explain(string code, string login, ActivateForm form) =>
        code.Length != 10 ? "Le code comporte 10 caractères (lettres et chiffres)."
        : !LoginPattern().IsMatch(login) ? "L'identifiant comporte de 3 à 64 caractères : lettres, chiffres, point, tiret, tiret bas ou @."
        : (form.Password ?? "").Length < MinimumPasswordLength ? $"Le mot de passe comporte au moins {MinimumPasswordLength} caractères."
        : "Les deux mots de passe ne sont pas identiques.";

    /// <summary>Codes are read aloud and typed on phones: spaces, dashes and case do not matter.</summary>
    public static string Normalize(string? code) =>
        new((code ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    private static IResult Form(HttpContext http, IAntiforgery antiforgery, string? login, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = "<p>Votre travailleur social vous a remis un code d'activation. Il est valable 30 jours.</p>\n" +
            Html.Error(error) +
            "<form method=\"post\" action=\"/account/activate\">\n" +
            Html.Hidden(tokens.FormFieldName, tokens.RequestToken) +
            "<label for=\"code\">Code d'activation</label>\n" +
            "<input id=\"code\" name=\"code\" type=\"text\" autocomplete=\"one-time-code\" required maxlength=\"20\">\n" +
            "<label for=\"login\">Identifiant choisi (pas besoin d'adresse e-mail)</label>\n" +
            $"<input id=\"login\" name=\"login\" type=\"text\" autocomplete=\"username\" required value=\"{Html.E(login)}\">\n" +
            $"<label for=\"password\">Mot de passe (au moins {MinimumPasswordLength} caractères)</label>\n" +
            "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\n" +
            "<label for=\"passwordConfirmation\">Mot de passe, une deuxième fois</label>\n" +
            "<input id=\"passwordConfirmation\" name=\"passwordConfirmation\" type=\"password\" autocomplete=\"new-password\" required>\n" +
            "<button type=\"submit\">Activer mon compte</button>\n</form>\n";
        return Html.Page("Activer mon compte", body, status);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._@-]{3,64}$")]
    private static partial Regex LoginPattern();
}
