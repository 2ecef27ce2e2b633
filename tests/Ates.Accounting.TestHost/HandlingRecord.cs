using Ates.Accounting.TaskCharges;
using Ates.Contracts;
using Ates.Messaging.Inbox;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ates.Accounting.TestHost;

/// <summary>
/// Writes down, after each committed batch, the task events it handled: one line "ticks key sequence" each, so that a
/// test running several instances can tell from their files merged by time whether each task's events were handled once
/// and in their order. A rolled-back batch leaves no line (its scope, and the list, are dropped).
/// </summary>
public static class HandlingRecord
{
    public static IServiceCollection RecordHandlingTo(this IServiceCollection services, string file)
    {
        services.AddSingleton(new RecordFile(file));
        services.TryAddScoped<HandledInBatch>();
        Decorate<TaskCreated>(services);
        Decorate<TaskUpdated>(services);
        Decorate<TaskAssigned>(services);
        Decorate<TaskCompleted>(services);
        services.AddScoped<IBatchCommitted, WriteAfterCommit>();
        return services;
    }

    // Registered after Accounting's own: the last registration is the one resolved.
    static void Decorate<TEvent>(IServiceCollection services) where TEvent : notnull =>
        services.AddScoped<IEventHandler<TEvent>>(sp =>
            new Recording<TEvent>((IEventHandler<TEvent>)(object)ActivatorUtilities.CreateInstance<TaskEventHandlers>(sp), sp.GetRequiredService<HandledInBatch>()));

    sealed class RecordFile(string path)
    {
        readonly Lock _gate = new();

        public void Append(IEnumerable<string> lines)
        {
            lock (_gate) File.AppendAllLines(path, lines);
        }
    }

    sealed class HandledInBatch
    {
        public List<(string Key, long Sequence)> Events { get; } = [];
    }

    sealed class Recording<TEvent>(IEventHandler<TEvent> inner, HandledInBatch handled) : IEventHandler<TEvent>
    {
        public async Task HandleAsync(TEvent @event, EventContext context, CancellationToken ct)
        {
            await inner.HandleAsync(@event, context, ct);
            handled.Events.Add((context.PartitionKey, context.Sequence));
        }
    }

    sealed class WriteAfterCommit(HandledInBatch handled, RecordFile file) : IBatchCommitted
    {
        public Task CommittedAsync(IReadOnlyList<object> events, CancellationToken ct)
        {
            // The real clock (the service runs on a fake one): lines of several processes on one machine compare.
            var ticks = DateTime.UtcNow.Ticks;
            file.Append(handled.Events.Select(e => $"{ticks} {e.Key} {e.Sequence}"));
            handled.Events.Clear();
            return Task.CompletedTask;
        }
    }
}
