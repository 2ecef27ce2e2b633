namespace Ates.Accounting.Pricing;

/// <summary>Independent uniform draws, whole dollars: fee 10..20, reward 20..40.</summary>
public sealed class RandomPriceSource : IPriceSource
{
    public TaskPrices PricesFor(Guid taskId) => TaskPrices.Checked(
        Random.Shared.Next(TaskPrices.MinAssignFee, TaskPrices.MaxAssignFee + 1),
        Random.Shared.Next(TaskPrices.MinReward, TaskPrices.MaxReward + 1));
}
