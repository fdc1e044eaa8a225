using System.Text;
using System.Text.Encodings.Web;

namespace Identity.Api.Pages;

/// <summary>
/// The person-facing pages: plain French HTML, one form each, no JavaScript, readable on an old phone.
/// Every value written into a page goes through the HTML encoder.
/// </summary>
public static class Html
{
    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static IResult Page(string title, string body, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append(" — Coordination</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}")
            .Append("label{display:block;margin-top:1rem;font-weight:600}input{font-size:1.1rem;padding:.5rem;width:100%;box-sizing:border-box}")
            .Append("button{margin-top:1.5rem;font-size:1.1rem;padding:.6rem 1.2rem}.erreur{color:#b00020;border-left:4px solid #b00020;padding-left:.75rem}</style>\n")
            .Append("</head>\n<body>\n<main>\n<h1>").Append(E(title)).Append("</h1>\n")
            .Append(body)
            .Append("\n</main>\n</body>\n</html>\n")
            .ToString();
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string Error(string? message) =>
        string.IsNullOrEmpty(message) ? "" : $"<p class=\"erreur\" role=\"alert\">{E(message)}</p>\n";

    public static string Hidden(string name, string? value) =>
        $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">\n";
}
