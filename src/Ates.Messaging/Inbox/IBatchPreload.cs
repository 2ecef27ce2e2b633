namespace Ates.Messaging.Inbox;

/// <summary>
/// Runs once per batch of deliveries, in the batch's scope and transaction, before its first handler: loads into the
/// service's DbContext what the handlers would otherwise look up one event at a time, so that a batch of 64 events
/// asks the database once per kind of row instead of once per event. Loading must not change anything: the handlers
/// still decide, and the batch may be rolled back and handled one by one.
/// </summary>
public interface IBatchPreload
{
    Task LoadAsync(IReadOnlyList<object> events, CancellationToken ct);
}
