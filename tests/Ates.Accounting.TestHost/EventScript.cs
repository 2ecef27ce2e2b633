using System.Text.Json;
using Ates.Accounting.Pricing;
using Ates.Contracts;
using Ates.Messaging.Envelope;

namespace Ates.Accounting.TestHost;

/// <summary>
/// Events as Auth and Tasks would publish them: envelopes with each producer's increasing sequence, and Tasks'
/// day-closed marker computed from the task events written since the previous one (as Tasks does).
/// </summary>
public sealed class EventScript(DateTimeOffset start)
{
    readonly Dictionary<string, long> _sequences = [];
    long _lastMarkerSequence;
    long _lastTaskEventSequence;
    int _taskEventsSinceMarker;
    DateTimeOffset _time = start;
    DateOnly _day = DateOnly.FromDateTime(start.UtcDateTime);

    public List<EventEnvelope> Events { get; } = [];
    public Dictionary<Guid, TaskPrices> Prices { get; } = [];

    public EventEnvelope User(Guid id, string name, UserRole role, long version = 1, UserStatus status = UserStatus.Active)
    {
        var email = $"{name.ToLowerInvariant().Replace(' ', '.')}@popug.inc";
        object record = version == 1 ? new UserCreated(id, name, email, role, status, version) : new UserUpdated(id, name, email, role, status, version);
        return Add("auth", record, id);
    }

    public EventEnvelope Created(Guid task, string title, decimal fee, decimal reward, string? jira = null)
    {
        Prices[task] = TaskPrices.Checked(fee, reward);
        return TaskEvent(new TaskCreated(task, title, jira, "", 1), task);
    }

    public EventEnvelope Updated(Guid task, string title, long version, string? jira = null) => TaskEvent(new TaskUpdated(task, title, jira, "", version), task);

    public EventEnvelope Assigned(Guid task, Guid assignee, Guid? previous = null) =>
        TaskEvent(new TaskAssigned(task, assignee, previous, previous is null ? AssignmentReason.Created : AssignmentReason.Shuffle, _day), task);

    public EventEnvelope Completed(Guid task, Guid assignee) => TaskEvent(new TaskCompleted(task, assignee, _time, _day), task);

    /// <summary>A completion as Tasks published it before task events named their billing day (task.completed v1).</summary>
    public EventEnvelope CompletedV1(Guid task, Guid assignee) => TaskEvent(new TaskCompletedV1(task, assignee, _time), task);

    /// <summary>Tasks' marker: the task events since the previous marker are the day's.</summary>
    public EventEnvelope CloseDay(DateOnly day)
    {
        var marker = new TasksDayClosed(day, _lastTaskEventSequence, _lastMarkerSequence, _taskEventsSinceMarker);
        _lastMarkerSequence = _lastTaskEventSequence;
        _taskEventsSinceMarker = 0;
        _day = day.AddDays(1);
        return Add("tasks", marker, Guid.Empty);
    }

    EventEnvelope TaskEvent(object record, Guid task)
    {
        var envelope = Add("tasks", record, task);
        _lastTaskEventSequence = envelope.Sequence;
        _taskEventsSinceMarker++;
        return envelope;
    }

    EventEnvelope Add(string producer, object record, Guid key)
    {
        var registry = EventRegistry.Default;
        var descriptor = registry.Describe(record.GetType());
        var sequence = _sequences[producer] = _sequences.GetValueOrDefault(producer) + 1;
        _time = _time.AddMinutes(1);
        var envelope = new EventEnvelope(Guid.CreateVersion7(), EventEnvelope.SourceOf(producer), descriptor.Type, descriptor.Version, _time,
            EventEnvelope.DataSchemaOf(descriptor.SchemaPath), sequence, key.ToString(), null, registry.Serialize(record));
        Events.Add(envelope);
        return envelope;
    }

    /// <summary>The script as a file the child host reads: prices and encoded envelopes.</summary>
    public void Save(string path, IEnumerable<EventEnvelope> deliveries) => File.WriteAllText(path, JsonSerializer.Serialize(new ScriptFile(
        Prices.ToDictionary(p => p.Key, p => new[] { p.Value.AssignFee, p.Value.Reward }),
        deliveries.Select(e => Convert.ToBase64String(e.Encode().Span)).ToList())));

    public static (ScriptedPrices Prices, List<ReadOnlyMemory<byte>> Deliveries) Load(string path)
    {
        var file = JsonSerializer.Deserialize<ScriptFile>(File.ReadAllText(path))!;
        var prices = new ScriptedPrices();
        foreach (var (task, p) in file.Prices) prices.Prices[task] = TaskPrices.Checked(p[0], p[1]);
        return (prices, file.Events.Select(e => (ReadOnlyMemory<byte>)Convert.FromBase64String(e)).ToList());
    }

    sealed record ScriptFile(Dictionary<Guid, decimal[]> Prices, List<string> Events);
}

/// <summary>Known prices per task; a task the script did not price is a broken test, not a random price.</summary>
public sealed class ScriptedPrices : IPriceSource
{
    public Dictionary<Guid, TaskPrices> Prices { get; } = [];

    public TaskPrices PricesFor(Guid taskId) =>
        Prices.TryGetValue(taskId, out var prices) ? prices : throw new InvalidOperationException($"The script gives no prices for task {taskId}.");
}
