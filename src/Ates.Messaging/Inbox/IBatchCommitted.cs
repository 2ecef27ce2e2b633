namespace Ates.Messaging.Inbox;

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
