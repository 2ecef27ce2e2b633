using System.Text.Json;
using System.Text.Json.Serialization;
using Ates.ServiceDefaults.Pages;
using Ates.ServiceDefaults.SignIn;
using Ates.ServiceDefaults.Telemetry;
using Ates.ServiceDefaults.Users;
using Ates.Messaging.Ops;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>The web side every service shares: sign-in, problems for every refusal, pages, API docs, health.</summary>
public static class ServiceWeb
{
    /// <summary>The web side, configured from the service's section <paramref name="section"/> and "Site" (the links, in <see cref="AddServiceApi"/>).</summary>
    public static IServiceCollection AddServiceWeb(this WebApplicationBuilder builder, SignedInServiceOptions options, string section)
    {
        ProductionProfile.CheckSignIn(builder.Environment, options, section);
        var service = section.ToLowerInvariant();
        // Each service's client in Auth is named for the service, and so is the audience of its API.
        if (string.IsNullOrEmpty(options.SignIn.ClientId)) options.SignIn.ClientId = service;
        var services = builder.AddServiceApi(service, options.SignIn.ClientId);
        services.AddAtesSignIn(options.SignIn);
        services.AddAuthorizationBuilder().AddAdminPolicy();
        services.AddSingleton<IAuthorizationHandler, ReplicaRoleHandler>();
        return services;
    }

    /// <summary>
    /// What every service's web side has, Auth's included: problems for every refusal, the API's JSON and its
    /// description, the form limits, antiforgery (cookie <c>ates.{cookiePrefix}.antiforgery</c>), telemetry, and the
    /// pages' parts: Razor components on the shared <see cref="Shell"/> and the menu's links from "Site".
    /// </summary>
    public static IServiceCollection AddServiceApi(this WebApplicationBuilder builder, string service, string cookiePrefix)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Bad bodies throw (and become problems in ProblemExceptionHandler) instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<FormOptions>(o => o.ValueLengthLimit = 16 * 1024);
        services.AddAntiforgery(o => o.Cookie.Name = $"ates.{cookiePrefix}.antiforgery");
        services.AddApiDescription();
        services.UseSnakeCaseJson();
        builder.AddServiceTelemetry(service);
        services.AddSingleton(builder.Configuration.GetSection("Site").Get<SiteLinks>() ?? new SiteLinks());
        services.AddRazorComponents();
        return services;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json (mapped with <c>MapOpenApi</c>).</summary>
    public static IServiceCollection AddApiDescription(this IServiceCollection services) => services.AddOpenApi();

    /// <summary>
    /// Every aTES API speaks as its events do: snake_case names (jira_id), enums as snake_case strings. A field the API
    /// does not know is refused, not dropped: a misspelt <c>jira_ld</c> would otherwise be lost without a word.
    /// </summary>
    public static IServiceCollection UseSnakeCaseJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });

    /// <summary>
    /// A service that signs people in through Auth: <see cref="UseServicePipeline"/> with the gate that signs out a
    /// deactivated popug, then sign-out and the ops API. <typeparamref name="TDb"/> holds the users replica and the outbox.
    /// </summary>
    public static WebApplication UseServiceWeb<TDb>(this WebApplication app, ServiceOptions options) where TDb : DbContext
    {
        app.UseServicePipeline(options, signedIn => signedIn.UseDeactivatedUserGate<TDb>());
        app.MapAtesSignOut();
        app.MapServiceOps<TDb>();
        return app;
    }

    /// <summary>
    /// The middleware every service runs, Auth's included, in this order, then the endpoints every service has: API
    /// docs and health. <paramref name="afterAuthentication"/> runs between authentication and authorization.
    /// </summary>
    public static WebApplication UseServicePipeline(this WebApplication app, ServiceOptions options, Action<WebApplication>? afterAuthentication = null)
    {
        // Behind the gateway (a loopback proxy, trusted by default) the client's own address: for the logs, and for
        // Auth's sign-in throttle.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        app.UseServiceMetrics();
        if (options.PathBase.Length > 0) app.UsePathBase(options.PathBase);
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusPages.WriteAsync);
        app.UseAuthentication();
        afterAuthentication?.Invoke(app);
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapOpenApi();
        app.MapScalarApiReference("/api/docs");
        app.MapServiceHealth();
        return app;
    }

    /// <summary>The ops API (status, dead letters, replay) for Analytics' ops page and rebuild, with an admin's token.</summary>
    public static RouteGroupBuilder MapServiceOps<TDb>(this IEndpointRouteBuilder app) where TDb : DbContext =>
        app.MapOps<TDb>().RequireAuthorization(AdminPolicy.Name);
}
