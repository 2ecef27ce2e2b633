using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.ServiceDefaults.Pages;

public static class FormToken
{
    /// <summary>
    /// Every post to these endpoints must carry the form's antiforgery token — also the bodiless ones (Done, Shuffle,
    /// Deactivate, Sign out), which minimal APIs would not check by themselves since they bind no form.
    /// </summary>
    public static TBuilder RequireFormToken<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder
    {
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
            if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
                return Results.Problem(title: "The form has expired", detail: "Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
            return await next(context);
        });
        return endpoints;
    }
}
