using System.Collections.Concurrent;

namespace Ates.Contracts.Validation;

/// <summary>
/// The event data this process found valid lately, by event id. Validation is a function of the type, version and
/// data alone, so a consumer in the same process that reads exactly those characters again (the one-process mode:
/// the producer validated them a moment ago) need not validate them again. Anything else, a row written around the
/// producer's validation or changed since, is not held and is validated as usual. Bounded: the oldest is forgotten.
/// </summary>
public sealed class RecentlyValid(int capacity)
{
    readonly ConcurrentDictionary<Guid, (string Type, int Version, string Data)> _byId = new();
    readonly Guid[] _order = new Guid[capacity];
    readonly Lock _gate = new();
    int _next;

    public void Remember(Guid eventId, string type, int version, string data)
    {
        lock (_gate)
        {
            if (!_byId.TryAdd(eventId, (type, version, data))) return;
            if (_byId.Count > capacity) _byId.TryRemove(_order[_next], out _);
            _order[_next] = eventId;
            _next = (_next + 1) % capacity;
        }
    }

    public bool Holds(Guid eventId, string type, int version, string data) =>
        _byId.TryGetValue(eventId, out var held) && held.Version == version && held.Type == type && string.Equals(held.Data, data, StringComparison.Ordinal);
}
