using System.Security.Cryptography;

namespace Ates.Tasks.Domain;

/// <summary>A source of uniform random choices; tests may script it.</summary>
public interface IRandomPick
{
    /// <summary>A uniformly random index in [0, <paramref name="count"/>).</summary>
    int Next(int count);
}

/// <summary>The operating system's CSPRNG: unbiased (rejection sampling), and no popug can predict the next pick.</summary>
public sealed class SecureRandomPick : IRandomPick
{
    public int Next(int count) => RandomNumberGenerator.GetInt32(count);
}

public static class Assignment
{
    /// <summary>One of <paramref name="eligible"/>, each with the same chance; null when there is nobody.</summary>
    public static Guid? Pick(IReadOnlyList<Guid> eligible, IRandomPick random) =>
        eligible.Count == 0 ? null : eligible[random.Next(eligible.Count)];
}
