using System.Text.Json;
using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Billing;
using Ates.Accounting.Ledger;
using Ates.Accounting.TaskCharges;

namespace Ates.Bench;

/// <summary>The checks after the day, so that a fast wrong run cannot pass; each failure says what is wrong.</summary>
public sealed record EndStateCheck(bool Passed, IReadOnlyList<string> Failures, int Transactions, int Rewards, int Fees, int Payouts);

/// <summary>
/// Reads Accounting's ledger and Tasks' tasks and event log after the close and checks the money: the ledger sums to
/// zero; every task the day created is done and credited exactly once, to its assignee, its reward; its assign fees
/// are exactly its assignments in Tasks' log (one per task.assigned, to that assignee, its fee); the closed day paid
/// out exactly every positive balance and left none.
/// </summary>
public static class EndState
{
    public static async Task<EndStateCheck> VerifyAsync(IAtes ates, DayResult day, CancellationToken ct)
    {
        var failures = new List<string>();
        void Expect(bool condition, string failure)
        {
            if (!condition && failures.Count < 50) failures.Add(failure);
        }

        await using var accounting = Books.Accounting(ates);
        var transactions = await accounting.Transactions.AsNoTracking()
            .Select(t => new { t.Id, t.Kind, t.AccountId, t.Amount, t.TaskId, t.Day }).ToListAsync(ct);
        var entries = await accounting.Entries.AsNoTracking().Select(e => new { e.TransactionId, e.AccountId, e.Amount }).ToListAsync(ct);
        var prices = await accounting.Tasks.AsNoTracking().ToDictionaryAsync(t => t.Id, t => (t.AssignFee, t.Reward), ct);

        // Double entry: every movement has the popug's side and the company's, and the whole ledger sums to zero.
        Expect(entries.Sum(e => e.Amount) == 0m, $"The ledger sums to {entries.Sum(e => e.Amount)}, not zero.");
        var sides = entries.GroupBy(e => e.TransactionId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var t in transactions)
        {
            var pair = sides.GetValueOrDefault(t.Id) ?? [];
            Expect(pair.Count == 2 && pair.Sum(e => e.Amount) == 0m && pair.Any(e => e.AccountId == t.AccountId && e.Amount == t.Amount),
                $"Transaction {t.Id} ({t.Kind} {t.Amount}) does not have two entries that sum to zero.");
        }

        await using var tasks = Books.Tasks(ates);
        var states = await tasks.Tasks.AsNoTracking().ToDictionaryAsync(t => t.Id, t => (t.State, t.AssigneeId), ct);
        var assignments = (await tasks.Set<OutboxMessage>().AsNoTracking().Where(m => m.Type == "task.assigned").Select(m => m.Data).ToListAsync(ct))
            .Select(data => JsonSerializer.Deserialize<Assigned>(data, SnakeCase)!)
            .ToLookup(a => a.TaskId, a => a.AssigneeId);

        var rewards = transactions.Where(t => t.Kind == TransactionKind.Reward).ToLookup(t => t.TaskId);
        var fees = transactions.Where(t => t.Kind == TransactionKind.AssignFee).ToLookup(t => t.TaskId);
        foreach (var id in day.Tasks)
        {
            if (!states.TryGetValue(id, out var task)) { Expect(false, $"Task {id} is not in Tasks."); continue; }
            Expect(task.State == TaskState.Done, $"Task {id} is {task.State}, not done.");
            var price = prices.GetValueOrDefault(id);
            var credited = rewards[id].ToList();
            Expect(credited.Count == 1, $"Task {id} was credited {credited.Count} times, not once.");
            Expect(credited.All(r => r.AccountId == task.AssigneeId && r.Amount == price.Reward),
                $"Task {id}'s reward went to {string.Join(", ", credited.Select(r => $"{r.AccountId} ({r.Amount})"))}, not {task.AssigneeId} ({price.Reward}).");
            var debited = fees[id].Select(f => f.AccountId).Order().ToList();
            var assigned = assignments[id].Order().ToList();
            Expect(debited.SequenceEqual(assigned), $"Task {id} was assigned {assigned.Count} times but {debited.Count} fees were debited, or to other popugs.");
            Expect(fees[id].All(f => f.Amount == -price.AssignFee), $"Task {id}'s fees are not all its assign fee {price.AssignFee}.");
        }
        Expect(fees.Sum(g => g.Count()) == day.Tasks.Count + day.Reassigned,
            $"{fees.Sum(g => g.Count())} assign fees for {day.Tasks.Count} creations and {day.Reassigned} reassignments by shuffles.");

        // The close: what each account held on the day (payouts of that day aside) is paid out if positive, and only that.
        var payouts = transactions.Where(t => t.Kind == TransactionKind.Payout && t.Day == day.Day).ToLookup(t => t.AccountId);
        var held = transactions.Where(t => t.Day <= day.Day && !(t.Kind == TransactionKind.Payout && t.Day == day.Day))
            .GroupBy(t => t.AccountId).ToDictionary(g => g.Key, g => g.Sum(t => t.Amount));
        foreach (var (account, balance) in held)
        {
            var paid = -payouts[account].Sum(p => p.Amount);
            Expect(paid == Math.Max(balance, 0m), $"Account {account} held {balance} at the close of {day.Day} but was paid {paid}.");
        }
        Expect(payouts.All(p => held.ContainsKey(p.Key)), $"A payout went to an account with no movement on {day.Day}.");
        var closed = await accounting.Days.AsNoTracking().SingleOrDefaultAsync(d => d.Day == day.Day, ct);
        Expect(closed is { IsClosed: true } && closed.PayoutsTotal == -payouts.Sum(p => p.Sum(t => t.Amount)),
            $"Day {day.Day} is not closed with its payouts total {-payouts.Sum(p => p.Sum(t => t.Amount))}.");

        return new EndStateCheck(failures.Count == 0, failures, transactions.Count, rewards.Sum(g => g.Count()), fees.Sum(g => g.Count()),
            payouts.Sum(g => g.Count()));
    }

    static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    sealed record Assigned(Guid TaskId, Guid AssigneeId);
}
