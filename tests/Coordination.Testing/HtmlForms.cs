using System.Net;
using System.Text.RegularExpressions;

namespace Coordination.Testing;

/// <summary>Fills and submits the plain HTML forms of Identity as a browser would (hidden fields included).</summary>
public static partial class HtmlForms
{
    public static async Task<HttpResponseMessage> Submit(HttpClient browser, string pagePath, IReadOnlyDictionary<string, string> fields)
    {
        var page = await browser.GetAsync(new Uri(pagePath, UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>();
        foreach (Match hidden in HiddenField().Matches(html))
        {
            form[WebUtility.HtmlDecode(hidden.Groups["name"].Value)] = WebUtility.HtmlDecode(hidden.Groups["value"].Value);
        }
        foreach (var (key, value) in fields) form[key] = value;
        var action = FormAction().Match(html);
        var target = action.Success ? WebUtility.HtmlDecode(action.Groups["action"].Value) : pagePath.Split('?')[0];
        return await browser.PostAsync(new Uri(target, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]+)\">")]
    private static partial Regex FormAction();
}
