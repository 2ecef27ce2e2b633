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

/// <summary>
/// Runs after a batch of deliveries committed, in the batch's scope (the batch's own DbContext should not be used
/// again: open a new scope for new work). For what must see everything committed, including other instances' work:
/// Accounting closes a billing day here. A failure is logged and does not undo the batch; the hook must be safe to
/// run again later (after a restart, or by a periodic check) since a crash may come between the commit and the hook.
/// </summary>
public interface IBatchCommitted
{
    Task CommittedAsync(IReadOnlyList<object> events, CancellationToken ct);
}
