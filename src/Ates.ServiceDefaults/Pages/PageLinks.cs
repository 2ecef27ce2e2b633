using Microsoft.AspNetCore.Http;

namespace Ates.ServiceDefaults.Pages;

public static class PageLinks
{
    /// <summary>A link to one of this service's own pages, under the prefix the gateway serves it at (PathBase).</summary>
    public static string Local(this HttpContext http, string path) => $"{http.Request.PathBase}{path}";

    /// <summary>Post/redirect/get: back to a page of this service with a one-line notice to show.</summary>
    public static IResult RedirectWithNotice(this HttpContext http, string path, string notice) => Redirect(http, path, "notice", notice);

    /// <summary>Post/redirect/get after a refusal that has no form to show again.</summary>
    public static IResult RedirectWithError(this HttpContext http, string path, string error) => Redirect(http, path, "error", error);

    static IResult Redirect(HttpContext http, string path, string key, string text) =>
        Results.Redirect($"{http.Local(path)}{(path.Contains('?') ? '&' : '?')}{key}={Uri.EscapeDataString(text)}");
}
