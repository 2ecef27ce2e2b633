using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.ServiceDefaults.Pages;

/// <summary>A bodiless refusal (403, 404, …) gets an RFC 9457 problem from the API and a page in the browser.</summary>
public static class StatusPages
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (IsPage(http))
        {
            var (title, text) = status switch
            {
                403 => ("Not for your role", "This page is for other roles. The menu above shows what is yours."),
                404 => ("Nothing here", "There is no such page. The menu above shows where to go."),
                _ => ($"Error {status}", "The request could not be served."),
            };
            await new RazorComponentResult<Message>(new { Title = title, Text = text }) { StatusCode = status }.ExecuteAsync(http);
            return;
        }
        await Results.Problem(statusCode: status).ExecuteAsync(http);
    }

    /// <summary>A refusal with its reason: a page in the browser, an RFC 9457 problem from the API.</summary>
    public static Task RefuseAsync(HttpContext http, int status, string title, string detail) =>
        IsPage(http)
            ? new RazorComponentResult<Message>(new { Title = title, Text = detail }) { StatusCode = status }.ExecuteAsync(http)
            : Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(http);

    internal static bool IsPage(HttpContext http) =>
        !http.Request.Path.StartsWithSegments("/api") && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
