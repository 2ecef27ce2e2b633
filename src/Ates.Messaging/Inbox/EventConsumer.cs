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
/// Handles deliveries: validates the envelope and the payload against the registry, skips events
/// already in the inbox, and runs the handlers and records the event ids in one transaction.
/// An invalid event is dead-lettered at once; a failing handler is retried, then dead-lettered.
/// A batch shares one transaction (one commit for many events); if any of its handlers fails,
/// the batch is rolled back and its events are handled one by one, so one bad event costs only itself.
/// </summary>
/// <summary>A service's consumer as its transport sees it, whatever its database.</summary>
public interface IConsumerRegistration
{
    ConsumerRegistration Registration { get; }
}

public sealed class EventConsumer<TDb>(
    IServiceScopeFactory scopes,
    EventRegistry registry,
    HandlerMap handlers,
    MessagingOptions options,
    TimeProvider time,
    ILogger<EventConsumer<TDb>> log) : IConsumerRegistration
    where TDb : DbContext
{
    public ConsumerRegistration Registration => new(options.Service, handlers.EventTypes, ConsumeAsync, options.RetryDelay) { ParkAsync = ParkAsync };

    /// <summary>
    /// A message the broker gave up on (its delivery limit: a consumer that crashed on it again and again) becomes a
    /// dead letter with that reason, to list, retry or discard like any other; unless the inbox shows it was handled.
    /// </summary>
    public async Task ParkAsync(ReadOnlyMemory<byte> body, string reason, CancellationToken ct)
    {
        var (envelope, _, _) = Read(body, publisher: null);
        if (envelope is not null && await SeenAsync(envelope.Id, ct)) return;
        await DeadLetterAsync(envelope, body, reason, attempts: 0, ct);
    }

    public async Task<ConsumeOutcome> ConsumeAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken ct) =>
        (await ConsumeAsync([new Delivery(body, attempt)], ct))[0];

    public async Task<ConsumeOutcome[]> ConsumeAsync(IReadOnlyList<Delivery> deliveries, CancellationToken ct)
    {
        var outcomes = new ConsumeOutcome[deliveries.Count];
        var envelopes = new EventEnvelope?[deliveries.Count];
        var valid = new List<(int Index, Received Event)>(deliveries.Count);
        for (var i = 0; i < deliveries.Count; i++)
        {
            var (envelope, @event, problem) = Read(deliveries[i].Body, deliveries[i].Publisher);
            envelopes[i] = envelope;
            if (problem is null) valid.Add((i, new Received(envelope!, @event!)));
            else
            {
                await DeadLetterAsync(envelope, deliveries[i].Body, problem, deliveries[i].Attempt, ct);
                outcomes[i] = ConsumeOutcome.DeadLettered;
            }
        }

        if (valid.Count > 1)
        {
            try
            {
                var handled = await HandleAsync(valid.Select(v => v.Event).ToList(), ct);
                for (var k = 0; k < valid.Count; k++) outcomes[valid[k].Index] = handled[k];
                return Counted(outcomes, envelopes);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogInformation(e, "{Service}: a batch of {Count} failed; handling its events one by one", options.Service, valid.Count);
            }
        }

        foreach (var (index, received) in valid)
            outcomes[index] = await HandleOneAsync(received, deliveries[index], ct);
        return Counted(outcomes, envelopes);
    }

    ConsumeOutcome[] Counted(ConsumeOutcome[] outcomes, EventEnvelope?[] envelopes)
    {
        if (!MessagingMetrics.Counting) return outcomes;
        for (var i = 0; i < outcomes.Length; i++)
            MessagingMetrics.RecordConsumed(options.Service, EventEnvelope.ProducerIn(envelopes[i]?.Source) ?? "unknown", envelopes[i]?.Type ?? "unknown", outcomes[i] switch
            {
                ConsumeOutcome.Handled => "handled",
                ConsumeOutcome.Duplicate => "duplicate",
                ConsumeOutcome.DeadLettered => "dead_lettered",
                _ => "retry",
            });
        return outcomes;
    }

    /// <summary>A valid delivery: its envelope and its payload read as the newest record of its type.</summary>
    sealed record Received(EventEnvelope Envelope, object Event);

    /// <summary>
    /// The envelope and the event, or why the delivery cannot be handled at all. <paramref name="publisher"/> is the
    /// service that published it as the transport vouches for it (the broker login), null where it cannot tell.
    /// </summary>
    (EventEnvelope? Envelope, object? Event, string? Problem) Read(ReadOnlyMemory<byte> body, string? publisher)
    {
        EventEnvelope envelope;
        try
        {
            // Decoding checks every attribute aTES relies on; the envelope schema, slower, is asked only
            // to explain a refusal in its words.
            envelope = EventEnvelope.Decode(body);
        }
        catch (MalformedEnvelopeException e)
        {
            var check = registry.ValidateEnvelope(EventEnvelope.AsText(body));
            return (null, null, $"Malformed envelope: {(check.IsValid ? e.Message : string.Join("; ", check.Errors))}");
        }

        // Only the producer the registry names may speak for its events: a task.completed from Analytics is a forgery
        // (or a bug), and would pay a popug if it were handled.
        if (registry.Find(envelope.Type, envelope.Version) is { } descriptor)
        {
            if (EventEnvelope.SourceOf(descriptor.Producer) is var producer && envelope.Source != producer)
                return (envelope, null, $"{envelope.Type} comes from {producer} only, not from {envelope.Source}");
            // The envelope's source is the publisher's word; the broker login is the broker's.
            if (publisher is not null && publisher != descriptor.Producer)
                return (envelope, null, $"{envelope.Type} comes from {descriptor.Producer} only, but the broker login '{publisher}' published it");
        }

        try
        {
            // Validates the data against its schema (unless this process just validated these characters as their
            // producer), then reads and upcasts it.
            return (envelope, registry.Read(envelope.Type, envelope.Version, envelope.Data, envelope.Id), null);
        }
        catch (EventContractException e)
        {
            return (envelope, null, $"{envelope.Type} v{envelope.Version} fails its schema: {string.Join("; ", e.Errors)}");
        }
    }

    async Task<ConsumeOutcome> HandleOneAsync(Received received, Delivery delivery, CancellationToken ct)
    {
        var envelope = received.Envelope;
        try
        {
            try
            {
                return (await HandleAsync([received], ct))[0];
            }
            catch (DbUpdateException)
            {
                // A concurrent writer (another instance) added or changed the same row first: by now it has committed,
                // so one more try at once sees its row instead of waiting out a retry delay.
                return (await HandleAsync([received], ct))[0];
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (delivery.Attempt < options.MaxAttempts)
            {
                log.LogWarning(e, "{Service} failed to handle {Type} {Id} (attempt {Attempt} of {Max})", options.Service, envelope.Type, envelope.Id, delivery.Attempt, options.MaxAttempts);
                return ConsumeOutcome.RetryLater;
            }
            log.LogError(e, "{Service} gives up on {Type} {Id} after {Attempt} attempts", options.Service, envelope.Type, envelope.Id, delivery.Attempt);
            await DeadLetterAsync(envelope, delivery.Body, $"Handler failed {delivery.Attempt} times: {e.GetType().Name}: {e.Message}", delivery.Attempt, ct);
            return ConsumeOutcome.DeadLettered;
        }
    }

    /// <summary>Handles the events in order in one transaction; throws (and commits nothing) if any handler fails.</summary>
    async Task<ConsumeOutcome[]> HandleAsync(IReadOnlyList<Received> events, CancellationToken ct)
    {
        var envelopes = events.Select(e => e.Envelope).ToList();
        var outcomes = new ConsumeOutcome[envelopes.Count];
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var ids = envelopes.Select(e => e.Id).ToList();
        var seen = (await db.Set<InboxMessage>().Where(m => ids.Contains(m.EventId)).Select(m => m.EventId).ToListAsync(ct)).ToHashSet();
        if (envelopes.All(e => seen.Contains(e.Id))) return Enumerable.Repeat(ConsumeOutcome.Duplicate, envelopes.Count).ToArray();

        // A failing batch is rolled back whole and its events handled one by one, so EF Core's savepoint around each
        // SaveChanges (two round trips) would protect nothing.
        db.Database.AutoSavepointsEnabled = false;
        using var batch = MessagingActivities.StartBatch($"consume {options.Service}", ActivityKind.Consumer, options.Service,
            envelopes.Select(e => e.TraceParent), envelopes.Count);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The inbox rows go first: a concurrent delivery of the same event (another instance)
        // then waits on them and fails on the key instead of running a handler twice.
        var fresh = new List<(int Index, Received Event)>();
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = envelopes[i];
            if (!seen.Add(envelope.Id))
            {
                outcomes[i] = ConsumeOutcome.Duplicate;
                continue;
            }
            fresh.Add((i, events[i]));
            db.Set<InboxMessage>().Add(new InboxMessage
            {
                EventId = envelope.Id,
                Source = envelope.Source,
                Type = envelope.Type,
                Sequence = envelope.Sequence,
                HandledAt = time.GetUtcNow().UtcDateTime,
            });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (envelopes.Count == 1)
        {
            if (await SeenAsync(envelopes[0].Id, ct)) return [ConsumeOutcome.Duplicate];
            throw;
        }

        if (fresh.Count > 1)
            foreach (var preload in scope.ServiceProvider.GetServices<IBatchPreload>())
                await preload.LoadAsync(fresh.Select(f => f.Event.Event).ToList(), ct);

        foreach (var (index, (envelope, @event)) in fresh)
        {
            // The handling is a span of the event's own trace (from the producer's outbox write on).
            using var activity = MessagingActivities.Source.StartActivity($"handle {envelope.Type}", ActivityKind.Consumer, envelope.TraceParent);
            activity?.SetTag("messaging.message.id", envelope.Id);
            activity?.SetTag("messaging.consumer.group.name", options.Service);
            if (handlers.Find(envelope.Type) is { } handle)
            {
                var context = new EventContext(envelope.Id, envelope.Source, envelope.Type, envelope.Version, envelope.Time, envelope.Sequence, envelope.PartitionKey);
                await handle(scope.ServiceProvider, @event, context, ct);
                // Saved after each handler (unless the service turned it off), so the next one's queries see its changes.
                if (options.SaveAfterEachHandler) await db.SaveChangesAsync(ct);
            }
            outcomes[index] = ConsumeOutcome.Handled;
        }
        if (!options.SaveAfterEachHandler) await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await AfterCommitAsync(scope.ServiceProvider, fresh.Select(f => f.Event.Event).ToList(), ct);
        return outcomes;
    }

    async Task AfterCommitAsync(IServiceProvider services, IReadOnlyList<object> events, CancellationToken ct)
    {
        foreach (var hook in services.GetServices<IBatchCommitted>())
        {
            try
            {
                await hook.CommittedAsync(events, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The batch is committed: it must not be handled again for this. The hook runs again later.
                log.LogWarning(e, "{Service}: {Hook} failed after a batch of {Count} committed", options.Service, hook.GetType().Name, events.Count);
            }
        }
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
        // One dead letter per event: a redelivery (or a failed retry) updates it rather than adding another.
        var letter = envelope is null ? null : await db.Set<DeadLetter>().FirstOrDefaultAsync(d => d.EventId == envelope.Id, ct);
        if (letter is null)
        {
            letter = new DeadLetter { Id = Guid.CreateVersion7(), EventId = envelope?.Id, Body = "", Reason = "" };
            db.Set<DeadLetter>().Add(letter);
        }
        letter.Type = envelope?.Type;
        letter.Source = envelope?.Source;
        letter.Body = EventEnvelope.AsText(body);
        letter.Reason = reason;
        letter.Attempts = attempts;
        letter.FailedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}
