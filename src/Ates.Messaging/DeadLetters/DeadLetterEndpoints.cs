using Ates.Messaging.Ops;
using Ates.Messaging.Transports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Ates.Messaging.DeadLetters;

/// <summary>The ops API over a service's dead letters: list, retry, discard. The caller secures the group.</summary>
public static class DeadLetterEndpoints
{
    public sealed record DeadLetterView(Guid Id, Guid? EventId, string? Type, string? Source, string Reason, int Attempts, DateTime FailedAt, string Body);

    public sealed record RetryResult(Guid Id, string Outcome);

    public static RouteGroupBuilder MapDeadLetters<TDb>(this IEndpointRouteBuilder routes, string prefix = OpsRoutes.DeadLetters)
        where TDb : DbContext
    {
        var group = routes.MapGroup(prefix).WithTags("Dead letters");

        group.MapGet("/", async (DeadLetterStore<TDb> store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(ct)).Select(View)));

        group.MapGet("/{id:guid}", async Task<Results<Ok<DeadLetterView>, ProblemHttpResult>> (Guid id, DeadLetterStore<TDb> store, CancellationToken ct) =>
            await store.FindAsync(id, ct) is { } letter ? TypedResults.Ok(View(letter)) : NotFound(id));

        group.MapPost("/{id:guid}/retry", async Task<Results<Ok<RetryResult>, ProblemHttpResult>> (Guid id, DeadLetterStore<TDb> store, CancellationToken ct) =>
            await store.RetryAsync(id, ct) is { } outcome ? TypedResults.Ok(new RetryResult(id, Describe(outcome))) : NotFound(id));

        group.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, DeadLetterStore<TDb> store, CancellationToken ct) =>
            await store.DiscardAsync(id, ct) ? TypedResults.NoContent() : NotFound(id));

        return group;
    }

    /// <summary>A retry's outcome in an operator's words.</summary>
    public static string Describe(ConsumeOutcome outcome) => outcome switch
    {
        ConsumeOutcome.Handled => "handled",
        ConsumeOutcome.Duplicate => "already handled",
        _ => "failed again: a new dead letter records why",
    };

    public static DeadLetterView View(DeadLetter d) => new(d.Id, d.EventId, d.Type, d.Source, d.Reason, d.Attempts, d.FailedAt, d.Body);

    static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(title: "No such dead letter", detail: $"There is no dead letter {id}; it may have been retried or discarded.", statusCode: StatusCodes.Status404NotFound);
}
