using Ates.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Ates.Messaging.Inbox;

/// <summary>Which event types this service handles, and how to call the handler for each.</summary>
public sealed class HandlerMap
{
    public delegate Task Handle(IServiceProvider services, object @event, EventContext context, CancellationToken ct);

    readonly Dictionary<string, Handle> _byType = [];

    public IReadOnlyCollection<string> EventTypes => _byType.Keys;

    public Handle? Find(string type) => _byType.GetValueOrDefault(type);

    /// <summary>Subscribes to <typeparamref name="TEvent"/>'s type; older versions are read up to this record.</summary>
    public void Add<TEvent>(EventRegistry registry) where TEvent : notnull
    {
        var type = registry.Describe(typeof(TEvent)).Type;
        if (registry.LatestRecordType(type) != typeof(TEvent))
            throw new InvalidOperationException($"Handle the newest record of {type} ({registry.LatestRecordType(type).Name}); older versions are upcast to it.");
        if (!_byType.TryAdd(type, (services, @event, context, ct) =>
                services.GetRequiredService<IEventHandler<TEvent>>().HandleAsync((TEvent)@event, context, ct)))
            throw new InvalidOperationException($"{type} already has a handler.");
    }
}
