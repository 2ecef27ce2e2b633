namespace Ates.Accounting.Pricing;

/// <summary>A task's prices, set once when Accounting first learns of the task and never changed.</summary>
public readonly record struct TaskPrices(decimal AssignFee, decimal Reward)
{
    public const int MinAssignFee = 10, MaxAssignFee = 20, MinReward = 20, MaxReward = 40;

    /// <summary>Whole dollars within the spec's ranges; anything else is a programming error in a price source.</summary>
    public static TaskPrices Checked(decimal assignFee, decimal reward)
    {
        if (assignFee != decimal.Truncate(assignFee) || assignFee is < MinAssignFee or > MaxAssignFee)
            throw new ArgumentOutOfRangeException(nameof(assignFee), assignFee, $"An assign fee is whole dollars {MinAssignFee}..{MaxAssignFee}.");
        if (reward != decimal.Truncate(reward) || reward is < MinReward or > MaxReward)
            throw new ArgumentOutOfRangeException(nameof(reward), reward, $"A reward is whole dollars {MinReward}..{MaxReward}.");
        return new TaskPrices(assignFee, reward);
    }
}
