using Ates.Messaging.Ops;
using Ates.Messaging.Transports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using System.Text.RegularExpressions;

namespace Ates.Messaging;

/// <summary>
/// The ops API over a producer's event log: replay it into one consumer (a rebuild of that consumer's data).
/// The caller secures the endpoint (admins only, typically).
/// </summary>
public static partial class EventLogEndpoints
{
    /// <summary><paramref name="From"/> is the first sequence to send (0 or absent: the whole retained log).</summary>
    public sealed record ReplayRequest(string? Consumer, long? From);

    /// <summary>How many events were sent, and the log's last sequence when the replay finished.</summary>
    public sealed record ReplayResult(string Producer, string Consumer, long From, long Sent, long LastSequence);

    /// <summary>POST <paramref name="pattern"/> { consumer, from }: sends the published events from that position to the consumer.</summary>
    public static RouteHandlerBuilder MapEventLogReplay<TDb>(this IEndpointRouteBuilder routes, string pattern = OpsRoutes.Replay)
        where TDb : DbContext =>
        routes.MapPost(pattern, async Task<Results<Ok<ReplayResult>, ValidationProblem, ProblemHttpResult>> (
                ReplayRequest? body, EventLog<TDb> log, MessagingOptions options, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (string.IsNullOrWhiteSpace(body?.Consumer)) errors["consumer"] = ["consumer is required: the name of the consuming service, e.g. \"analytics\"."];
                else if (!ConsumerName().IsMatch(body.Consumer)) errors["consumer"] = ["consumer must be a service name: lowercase letters, digits and dashes."];
                if (body?.From is < 0) errors["from"] = ["from must be a sequence number, 0 or more."];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The replay request is not valid");

                var from = body!.From ?? 0;
                try
                {
                    var sent = await log.ReplayAsync(body.Consumer!, from, null, ct);
                    return TypedResults.Ok(new ReplayResult(options.Service, body.Consumer!, from, sent, await log.LastSequenceAsync(ct)));
                }
                catch (UnknownConsumerException e)
                {
                    return TypedResults.Problem(title: "No such consumer", detail: e.Message, statusCode: StatusCodes.Status404NotFound);
                }
                catch (DeliveryDeferredException e)
                {
                    // In-process, a consumer whose handler failed asks for the event again later: the replay stops there.
                    return TypedResults.Problem(title: "The consumer could not take an event yet",
                        detail: $"{e.Message} The replay stopped there; replay again once it is handled (or dead-lettered).",
                        statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            })
            .WithTags("Event log")
            .WithSummary("Replays this service's event log into one consumer")
            .WithDescription("Sends every published event from the sequence `from` on to the consumer only (the consumer's inbox skips what it has already handled). Answers how many were sent.");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ConsumerName();
}
