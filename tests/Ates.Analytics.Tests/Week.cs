using Ates.Contracts;

namespace Ates.Analytics.Tests;

/// <summary>
/// A scripted fortnight at UberPopug Inc. (27 February – 12 March 2026, "today" being Thursday 12 March) with known
/// prices, and the events the three producers publish for it. Accounting's side is simulated as the spec says:
/// a fee on assignment, the reward on completion, and at each day's end a payout of every positive balance.
/// </summary>
public static class Week
{
    public static readonly DateOnly Today = DateOnly.FromDateTime(Testbed.Now.UtcDateTime);

    public sealed record Popug(Guid Id, string Name);

    public static readonly Popug W1 = new(Guid.Parse("0195f0a0-0000-7000-8000-000000000001"), "Worker One");
    public static readonly Popug W2 = new(Guid.Parse("0195f0a0-0000-7000-8000-000000000002"), "Worker Two");
    public static readonly Popug W3 = new(Guid.Parse("0195f0a0-0000-7000-8000-000000000003"), "Worker Three");
    public static readonly Popug W4 = new(Guid.Parse("0195f0a0-0000-7000-8000-000000000004"), "Worker Four");

    /// <summary>A task assigned on <see cref="Day"/> (the fee) and, with a reward, completed the same day.</summary>
    public sealed record Job(string Key, string? JiraId, string Title, DateOnly Day, Popug Worker, decimal Fee, decimal? Reward)
    {
        public Guid TaskId { get; } = Guid.Parse($"0195f0a0-0000-7000-9000-0000000000{Key[0] - 'A' + 10:x2}");
    }

    static DateOnly D(int month, int day) => new(2026, month, day);

    public static readonly Job[] Jobs =
    [
        new("A", "UBERPOP-1", "Feed the flock", D(2, 27), W1, 15, 40),
        new("B", "UBERPOP-2", "Polish the perch", D(3, 1), W2, 12, 25),
        new("C", "UBERPOP-3", "Count the seeds", D(3, 2), W1, 10, 38),
        new("E", "UBERPOP-4", "Tune the squawk", D(3, 3), W2, 14, 28),
        new("F", null, "Sweep the nest", D(3, 3), W3, 11, 22),
        new("H", "UBERPOP-6", "Fix the beak", D(3, 4), W3, 18, 31),
        new("M", null, "Sort the feathers", D(3, 4), W2, 13, null),
        new("I", "UBERPOP-8", "Oil the wings", D(3, 9), W1, 19, 36),
        new("J", "UBERPOP-9", "Wax the tail", D(3, 10), W2, 16, 39),
        new("N", null, "Paint the cage", D(3, 11), W4, 20, null),
        new("K", null, "Whistle a tune", D(3, 12), W3, 10, 20),
        new("L", null, "Guard the eggs", D(3, 12), W1, 17, null),
    ];

    public static Job Task(string key) => Jobs.Single(j => j.Key == key);

    /// <summary>Task C was renamed after its creation (task.updated, entity version 2).</summary>
    public const string RenamedC = "Count the sunflower seeds";

    public static IReadOnlyList<(object Event, string Key)> UserEvents() =>
        [.. new[] { W1, W2, W3, W4 }.Select(p => ((object)new UserCreated(p.Id, p.Name, $"{p.Name.Replace(' ', '.').ToLowerInvariant()}@popug.inc", UserRole.Worker, UserStatus.Active, 1), p.Id.ToString()))];

    /// <summary>task.created v2 for every task but H, which comes as v1 with its jira id in the title; then C's rename.</summary>
    public static IReadOnlyList<(object Event, string Key)> TaskEvents()
    {
        var events = new List<(object, string)>();
        foreach (var job in Jobs)
        {
            object created = job.Key == "H"
                ? new TaskCreatedV1(job.TaskId, $"[{job.JiraId}] - {job.Title}", "the v1 spelling")
                : new TaskCreated(job.TaskId, job.Title, job.JiraId, $"task {job.Key}", 1);
            events.Add((created, job.TaskId.ToString()));
        }
        var c = Task("C");
        events.Add((new TaskUpdated(c.TaskId, RenamedC, c.JiraId, "renamed", 2), c.TaskId.ToString()));
        return events;
    }

    /// <summary>What Accounting publishes for the fortnight: postings day by day, and each day before today closed with its payouts.</summary>
    public static IReadOnlyList<(object Event, string Key)> AccountingEvents() => AccountingLog.Value;

    static readonly Lazy<IReadOnlyList<(object Event, string Key)>> AccountingLog = new(() =>
    {
        var events = new List<(object, string)>();
        var balances = new Dictionary<Guid, decimal>();
        void Post(Guid account, TransactionKind kind, decimal amount, Guid? task, DateOnly day)
        {
            balances[account] = balances.GetValueOrDefault(account) + amount;
            events.Add((new TransactionApplied(Guid.CreateVersion7(), account, kind, amount, task, day), account.ToString()));
        }
        for (var day = Jobs.Min(j => j.Day); day <= Today; day = day.AddDays(1))
        {
            foreach (var job in Jobs.Where(j => j.Day == day))
            {
                Post(job.Worker.Id, TransactionKind.AssignFee, -job.Fee, job.TaskId, day);
                if (job.Reward is { } reward) Post(job.Worker.Id, TransactionKind.Reward, reward, job.TaskId, day);
            }
            if (day == Today) break; // today is still open
            var earnings = -events.Select(e => e.Item1).OfType<TransactionApplied>().Where(t => t.Day == day && t.Kind != TransactionKind.Payout).Sum(t => t.Amount);
            var accounts = new List<BillingCycleClosed.AccountCycle>();
            var paid = 0m;
            foreach (var (account, balance) in balances.OrderBy(b => b.Key).ToList())
            {
                if (balance > 0)
                {
                    Post(account, TransactionKind.Payout, -balance, null, day);
                    paid += balance;
                }
                accounts.Add(new BillingCycleClosed.AccountCycle(account, 0, balance, Math.Max(balance, 0), Math.Min(balance, 0)));
            }
            events.Add((new BillingCycleClosed(day, earnings, paid, balances.Count(b => b.Value < 0), accounts), day.ToString("yyyy-MM-dd")));
        }
        return events;
    });

    /// <summary>The whole fortnight as the three producers publish it.</summary>
    public static async Task PlayAsync(Testbed testbed)
    {
        await testbed.AuthEvents.PublishAsync(UserEvents());
        await testbed.Tasks.PublishAsync(TaskEvents());
        await testbed.Accounting.PublishAsync(AccountingEvents());
        await testbed.DeliveredAsync();
    }
}
