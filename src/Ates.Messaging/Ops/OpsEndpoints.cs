using Ates.Messaging.DeadLetters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.Ops;

/// <summary>
/// Every service's ops API at <see cref="OpsRoutes"/> (JSON: 401, not a sign-in redirect): its status, the backlog of its
/// log behind a consumer, its dead letters and the replay of its log. The caller secures the group (admins only).
/// </summary>
public static class OpsEndpoints
{
    public static RouteGroupBuilder MapOps<TDb>(this IEndpointRouteBuilder routes) where TDb : DbContext
    {
        var ops = routes.MapGroup("").WithTags("Ops");
        ops.MapGet(OpsRoutes.Status, (OpsStatusReader<TDb> reader, CancellationToken ct) => reader.ReadAsync(ct))
            .WithSummary("This service's event log, its position in each log it consumes, and its dead letters");

        ops.MapGet(OpsRoutes.Backlog, async Task<Results<Ok<Backlog>, ValidationProblem>> (long? after, string? types, OpsStatusReader<TDb> reader, CancellationToken ct) =>
            {
                var wanted = (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var errors = new Dictionary<string, string[]>();
                if (after is null or < 0) errors["after"] = ["after is required: the consumer's position, a sequence number of 0 or more."];
                if (wanted.Length == 0) errors["types"] = ["types is required: the event types the consumer handles, comma-separated."];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The backlog query is not valid");
                return TypedResults.Ok(await reader.BacklogAsync(after!.Value, wanted, ct));
            })
            .WithSummary("How many events of the given types this service's log holds after a position: a consumer's lag");

        ops.MapDeadLetters<TDb>();
        ops.MapEventLogReplay<TDb>();
        return ops;
    }
}
