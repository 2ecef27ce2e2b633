namespace Ates.Messaging.Partitions;

/// <summary>What one instance does about the partitions at a look: the ones to let go of and the free ones to take.</summary>
public sealed record PartitionMoves(IReadOnlyList<int> Release, IReadOnlyList<int> Take);

/// <summary>
/// How the instances of a service share its partitions, decided by each instance alone from the same view (the live
/// instances and who holds what): the instances in name order get N / M partitions each and the first N mod M one
/// more. An instance above its share lets go of its highest; one below takes the lowest free ones. Every instance
/// running the rule converges on a fair split, and a partition is never taken while another instance holds it.
/// </summary>
public static class PartitionShare
{
    public static int ShareOf(string instance, int partitions, IReadOnlyCollection<string> instances)
    {
        var ordered = instances.Append(instance).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = ordered.IndexOf(instance);
        return partitions / ordered.Count + (index < partitions % ordered.Count ? 1 : 0);
    }

    /// <summary>What <paramref name="me"/> should take and let go of, so each of the live <paramref name="instances"/> holds its share of the <paramref name="partitions"/>.</summary>
    /// <param name="me">This instance.</param>
    /// <param name="partitions">How many partitions there are.</param>
    /// <param name="instances">The live instances, this one among them or not.</param>
    /// <param name="holders">The live holder of each held partition; a partition not in it (or expired) is free.</param>
    public static PartitionMoves Plan(string me, int partitions, IReadOnlyCollection<string> instances, IReadOnlyDictionary<int, string> holders)
    {
        var share = ShareOf(me, partitions, instances);
        var mine = holders.Where(h => h.Value == me && h.Key < partitions).Select(h => h.Key).Order().ToList();
        // Partitions beyond the count (it was lowered) are let go of too.
        var beyond = holders.Where(h => h.Value == me && h.Key >= partitions).Select(h => h.Key).Order();
        if (mine.Count > share) return new PartitionMoves([.. mine.Skip(share).Concat(beyond)], []);
        var free = Enumerable.Range(0, partitions).Where(p => !holders.ContainsKey(p)).Take(share - mine.Count).ToList();
        return new PartitionMoves([.. beyond], free);
    }
}
