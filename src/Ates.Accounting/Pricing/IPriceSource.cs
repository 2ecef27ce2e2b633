namespace Ates.Accounting.Pricing;

/// <summary>Where a new task's prices come from; tests inject a scripted one.</summary>
public interface IPriceSource
{
    TaskPrices PricesFor(Guid taskId);
}
