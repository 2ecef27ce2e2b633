using Ates.Analytics.Hosting;
using Ates.ServiceDefaults.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Analytics.Ops;

public static class OpsPageEndpoints
{
    /// <summary>GET /api/ops (the overview as JSON), GET /ops (the page) and POST /ops (retry, discard, replay from the page).</summary>
    public static void MapOpsConsole(this RouteGroupBuilder api, RouteGroupBuilder pages)
    {
        api.MapGet("/ops", async (HttpContext http, OpsConsole console, CancellationToken ct) =>
                TypedResults.Ok(await console.OverviewAsync(await AdminToken.OfAsync(http), ct)))
            .WithSummary("Every consumer's lag behind each producer, and every service's outbox and dead letters")
            .WithDescription("Asks Auth, Tasks and Accounting (their /ops endpoints, with the caller's token) and reads Analytics' own tables.");

        pages.MapGet("/ops", async (string? notice, string? error, HttpContext http, OpsConsole console, CancellationToken ct) =>
        {
            var overview = await console.OverviewAsync(await AdminToken.OfAsync(http), ct);
            // Watch a backlog drain without a script; a calm page stays still (an open event body is not folded away).
            if (overview.AnyBehind) http.Response.Headers["Refresh"] = "5";
            var prometheus = http.RequestServices.GetRequiredService<AnalyticsOptions>().Prometheus;
            return new RazorComponentResult<OpsPage>(new { Overview = overview, Notice = notice, Error = error, Prometheus = prometheus });
        });

        pages.MapPost("/ops", async ([FromForm] OpsAction form, HttpContext http, OpsConsole console, CancellationToken ct) =>
        {
            var services = console.Services(await AdminToken.OfAsync(http));
            try
            {
                return http.RedirectWithNotice("/ops", form.Action switch
                {
                    "retry" => $"Retried on {form.Service}: {await Service(services, form.Service).RetryAsync(Letter(form.Id), ct)}.",
                    "discard" => await DiscardAsync(Service(services, form.Service), Letter(form.Id), ct),
                    "replay" => await ReplayAsync(services, form, ct),
                    _ => throw new OpsCallException("Choose retry, discard or replay."),
                });
            }
            catch (OpsCallException e)
            {
                return http.RedirectWithError("/ops", e.Message);
            }
        });
    }

    /// <summary>What the page's forms post: a dead letter's service and id, or a replay's producer, consumer and first sequence.</summary>
    public sealed class OpsAction
    {
        public string? Action { get; set; }
        public string? Service { get; set; }
        public string? Id { get; set; }
        public string? Producer { get; set; }
        public string? Consumer { get; set; }
        public string? From { get; set; }
    }

    static async Task<string> DiscardAsync(IOpsService service, Guid id, CancellationToken ct)
    {
        await service.DiscardAsync(id, ct);
        return $"Discarded on {service.Name}: that event will not be handled.";
    }

    static async Task<string> ReplayAsync(IReadOnlyDictionary<string, IOpsService> services, OpsAction form, CancellationToken ct)
    {
        var producer = Service(services, form.Producer);
        var consumer = Service(services, form.Consumer).Name;
        if (!long.TryParse(form.From ?? "0", out var from) || from < 0) throw new OpsCallException("From must be a sequence number, 0 or more.");
        var sent = await producer.ReplayAsync(consumer, from, ct);
        return $"{producer.Name} replayed {sent} event(s) from sequence {from} into {consumer}; those it had handled are skipped.";
    }

    static IOpsService Service(IReadOnlyDictionary<string, IOpsService> services, string? name) =>
        name is not null && services.TryGetValue(name, out var service) ? service
            : throw new OpsCallException($"There is no service \"{name}\"; choose one of {string.Join(", ", services.Keys)}.");

    static Guid Letter(string? id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new OpsCallException("That is not a dead letter's id.");
}
