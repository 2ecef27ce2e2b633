using System.Diagnostics;
using Ates.Contracts;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Envelope;
using Ates.Messaging.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ates.Messaging.Inbox;

/// <summary>
/// Handles one delivery: validates the envelope and the payload against the registry, skips an
/// event already in the inbox, and runs the handler and records the event id in one transaction.
/// An invalid event is dead-lettered at once; a failing handler is retried, then dead-lettered.
/// </summary>
public sealed class EventConsumer<TDb>(
    IServiceScopeFactory scopes,
    EventRegistry registry,
    HandlerMap handlers,
    MessagingOptions options,
    TimeProvider time,
    ILogger<EventConsumer<TDb>> log)
    where TDb : DbContext
{
    public static readonly ActivitySource Activities = new("Ates.Messaging");

    public ConsumerRegistration Registration => new(options.Service, handlers.EventTypes, ConsumeAsync, options.RetryDelay);

    public async Task<ConsumeOutcome> ConsumeAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken ct)
    {
        var envelopeCheck = registry.ValidateEnvelope(EventEnvelope.AsText(body));
        EventEnvelope envelope;
        try
        {
            if (!envelopeCheck.IsValid) throw new MalformedEnvelopeException(string.Join("; ", envelopeCheck.Errors));
            envelope = EventEnvelope.Decode(body);
        }
        catch (MalformedEnvelopeException e)
        {
            await DeadLetterAsync(null, body, $"Malformed envelope: {e.Message}", attempt, ct);
            return ConsumeOutcome.DeadLettered;
        }

        var dataCheck = registry.Validate(envelope.Type, envelope.Version, envelope.Data);
        if (!dataCheck.IsValid)
        {
            await DeadLetterAsync(envelope, body, $"{envelope.Type} v{envelope.Version} fails its schema: {string.Join("; ", dataCheck.Errors)}", attempt, ct);
            return ConsumeOutcome.DeadLettered;
        }

        using var activity = Activities.StartActivity($"consume {envelope.Type}", ActivityKind.Consumer, envelope.TraceParent);
        activity?.SetTag("messaging.message.id", envelope.Id);
        activity?.SetTag("messaging.consumer.group.name", options.Service);

        try
        {
            return await HandleOnceAsync(envelope, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (attempt < options.MaxAttempts)
            {
                log.LogWarning(e, "{Service} failed to handle {Type} {Id} (attempt {Attempt} of {Max})", options.Service, envelope.Type, envelope.Id, attempt, options.MaxAttempts);
                return ConsumeOutcome.RetryLater;
            }
            log.LogError(e, "{Service} gives up on {Type} {Id} after {Attempt} attempts", options.Service, envelope.Type, envelope.Id, attempt);
            await DeadLetterAsync(envelope, body, $"Handler failed {attempt} times: {e.GetType().Name}: {e.Message}", attempt, ct);
            return ConsumeOutcome.DeadLettered;
        }
    }

    async Task<ConsumeOutcome> HandleOnceAsync(EventEnvelope envelope, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        if (await db.Set<InboxMessage>().AnyAsync(m => m.EventId == envelope.Id, ct)) return ConsumeOutcome.Duplicate;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The inbox row goes first: a concurrent delivery of the same event (another instance)
        // then waits on it, and fails on the key instead of running the handler twice.
        db.Set<InboxMessage>().Add(new InboxMessage
        {
            EventId = envelope.Id,
            Source = envelope.Source,
            Type = envelope.Type,
            Sequence = envelope.Sequence,
            HandledAt = time.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (await SeenAsync(envelope.Id, ct)) return ConsumeOutcome.Duplicate;
            throw;
        }

        var context = new EventContext(envelope.Id, envelope.Source, envelope.Type, envelope.Version, envelope.Time, envelope.Sequence, envelope.PartitionKey);
        if (handlers.Find(envelope.Type) is { } handle)
        {
            var @event = registry.Read(envelope.Type, envelope.Version, envelope.Data);
            await handle(scope.ServiceProvider, @event, context, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ConsumeOutcome.Handled;
    }

    async Task<bool> SeenAsync(Guid eventId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TDb>().Set<InboxMessage>().AnyAsync(m => m.EventId == eventId, ct);
    }

    async Task DeadLetterAsync(EventEnvelope? envelope, ReadOnlyMemory<byte> body, string reason, int attempts, CancellationToken ct)
    {
        log.LogWarning("{Service} dead-letters {Type} {Id}: {Reason}", options.Service, envelope?.Type, envelope?.Id, reason);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        db.Set<DeadLetter>().Add(new DeadLetter
        {
            Id = Guid.CreateVersion7(),
            EventId = envelope?.Id,
            Type = envelope?.Type,
            Source = envelope?.Source,
            Body = EventEnvelope.AsText(body),
            Reason = reason,
            Attempts = attempts,
            FailedAt = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }
}
