using Ates.ServiceDefaults.Pages;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>
/// Request-reading failures (malformed JSON, wrong content type, a body too large, a bad antiforgery token) become
/// problems with their real status and message instead of an empty 400 or a 500 page; a service this one needs that
/// does not answer (Auth's sign-in metadata, another service's API) is a 503 that says so. A browser gets a page.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read", bad.Message),
            // The framework's form reader refuses a form it cannot decode (a NUL) or over its limits, wherever it is read.
            InvalidDataException bad when http.Request.HasFormContentType => (StatusCodes.Status400BadRequest, "The form could not be read", bad.Message),
            _ when SignInUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "Sign-in is not available right now",
                "The sign-in service (Auth) did not answer. Try again in a moment."),
            _ when Chain(exception).Any(e => e is HttpRequestException) => (StatusCodes.Status503ServiceUnavailable, "A service this needs did not answer",
                "Another aTES service did not answer. Try again in a moment."),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side", (string?)null),
        };
        if (status == StatusCodes.Status503ServiceUnavailable) log.LogWarning("{Title} ({Path}): {Reason}", title, http.Request.Path, exception.GetBaseException().Message);
        else if (status >= 500) log.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
        http.Response.StatusCode = status;
        if (StatusPages.IsPage(http))
        {
            await new RazorComponentResult<Message>(new { Title = title, Text = detail ?? "The request could not be served." }) { StatusCode = status }.ExecuteAsync(http);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    // IdentityModel's configuration manager (the one part of that assembly a request runs) throws this when it could not
    // fetch the OpenID Connect metadata; told apart by where it was thrown rather than by its wording.
    static bool SignInUnavailable(Exception exception) =>
        Chain(exception).Any(e => e is InvalidOperationException && e.Source == "Microsoft.IdentityModel.Protocols");

    static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) yield return e;
    }
}
