using System.Globalization;
using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

/// <summary>Amounts are decimal in C# and numbers in JSON, in whole cents, checked exactly.</summary>
public class MoneyTests
{
    const string Cents = "amount: must be an amount in whole cents (at most 2 decimal places)";
    const string SignRule =
        "data: amount must be negative for assign_fee and payout and positive for reward, and task_id must be null for a payout and a task id otherwise";

    static string Transaction(string kind, string amount, bool withTask = true) =>
        $$"""{"transaction_id":"{{TransactionId}}","account_id":"{{Kesha}}","kind":"{{kind}}","amount":{{amount}},"task_id":{{(withTask ? $"\"{TaskId}\"" : "null")}},"day":"2026-03-03"}""";

    [Theory]
    [InlineData("reward", "12.5")]
    [InlineData("reward", "0.3")]
    [InlineData("reward", "40")]
    [InlineData("reward", "1234567.89")]
    [InlineData("reward", "1E2")]
    [InlineData("assign_fee", "-17")]
    [InlineData("assign_fee", "-0.07")]
    [InlineData("assign_fee", "-10.10")]
    public void Amounts_in_cents_are_accepted_and_read_exactly(string kind, string amount)
    {
        var json = Transaction(kind, amount);

        var check = Registry.Validate("transaction.applied", 1, json);
        Assert.True(check.IsValid, check.ToString());
        var read = (TransactionApplied)Registry.Read("transaction.applied", 1, json);
        Assert.Equal(decimal.Parse(amount, NumberStyles.Float, CultureInfo.InvariantCulture), read.Amount);
    }

    [Fact]
    public void A_payout_has_no_task()
    {
        Assert.True(Registry.Validate("transaction.applied", 1, Transaction("payout", "-38.50", withTask: false)).IsValid);
        Assert.Equal([SignRule], Registry.Validate("transaction.applied", 1, Transaction("payout", "-38.50")).Errors);
        Assert.Equal([SignRule], Registry.Validate("transaction.applied", 1, Transaction("reward", "20", withTask: false)).Errors);
    }

    [Theory]
    [InlineData("12.505")]
    [InlineData("0.30000000000000004")]
    [InlineData("0.001")]
    public void Fractions_of_a_cent_are_refused(string amount)
    {
        Assert.Equal([Cents], Registry.Validate("transaction.applied", 1, Transaction("reward", amount)).Errors);
    }

    [Theory]
    [InlineData("assign_fee", "17")]
    [InlineData("payout", "38")]
    [InlineData("reward", "-20")]
    [InlineData("reward", "0")]
    public void The_sign_follows_the_kind(string kind, string amount)
    {
        Assert.Equal([SignRule], Registry.Validate("transaction.applied", 1, Transaction(kind, amount, withTask: kind != "payout")).Errors);
    }

    [Fact]
    public void An_amount_as_a_string_is_refused()
    {
        Assert.Equal(
            ["amount: must be a number, got \"-17\""],
            Registry.Validate("transaction.applied", 1, Transaction("assign_fee", "\"-17\"")).Errors);
    }

    [Fact]
    public void Billing_totals_are_in_cents_too()
    {
        Assert.Equal(
            ["payouts_total: must be an amount in whole cents (at most 2 decimal places)"],
            Registry.Validate("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["payouts_total"] = 38.001m)).Errors);
        Assert.Equal(
            ["accounts[0].paid: must be at least 0, got -1"],
            Registry.Validate("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["accounts"]![0]!["paid"] = -1)).Errors);
    }
}
