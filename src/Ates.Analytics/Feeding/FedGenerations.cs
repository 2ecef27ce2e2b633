using Ates.Analytics.Data;

namespace Ates.Analytics.Feeding;

/// <summary>
/// The generations of facts a batch of events feeds: the live one and, while a rebuild fills the next, that one too.
/// Read once per batch (a scope), in its transaction, under the lock <see cref="AnalyticsDb.StateForFeedingAsync"/> takes.
/// </summary>
public sealed class FedGenerations(AnalyticsDb db)
{
    IReadOnlyList<long>? _fed;

    public async Task<IReadOnlyList<long>> AllAsync(CancellationToken ct) => _fed ??= (await db.StateForFeedingAsync(ct)).Fed;
}
