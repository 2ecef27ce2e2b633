using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ates.Contracts;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Ates.Accounting.Ledger;

namespace Ates.Bench;

/// <summary>Counters the progress bar shows while the day runs.</summary>
public sealed class DayProgress
{
    public int PopugsCreated;
    public int TasksCreated;
    public int Shuffles;
    public int TasksCompleted;
    public int TasksSettled;
    public volatile bool DayClosed;
}

/// <summary>What the day did and how long each part took (durations from the day's start).</summary>
public sealed record DayResult(
    DateTime StartedAt, TimeSpan Created, TimeSpan Completed, TimeSpan Settled, DateTime SettledAt, TimeSpan DayClose, DateOnly Day,
    int Popugs, IReadOnlyCollection<Guid> Tasks, long Reassigned, IReadOnlyDictionary<Guid, DateTime> CompletedAt)
{
    /// <summary>The CPU each of the system's processes used from the day's start to all settled.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Cpu { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>With <see cref="BenchOptions.Backlog"/>: when Accounting was resumed (from the day's start).</summary>
    public TimeSpan? Resumed { get; init; }

    /// <summary>With <see cref="BenchOptions.Fault"/>: the fault and what it found in flight.</summary>
    public FaultReport? Fault { get; init; }
}

/// <summary>
/// A working day through the gateway: P workers created by the admin, T tasks created by random popugs with S shuffles
/// by the manager spread among the creations, every task completed by its assignee with their own token, then the
/// accountant closes the day in Tasks and the day waits for Accounting to close the billing day and pay out.
/// </summary>
public sealed class WorkingDay(AtesApi api, IAtes ates, BenchOptions options, DayProgress progress)
{
    readonly Popug _admin = new("admin@popug.inc");
    readonly Popug _manager = new("manager@popug.inc");
    readonly Popug _accountant = new("accountant@popug.inc");

    public async Task<DayResult> RunAsync(CancellationToken ct) => await PlayAsync(await HireAsync(ct), ct);

    /// <summary>The day with popugs already hired: the tasks, the shuffles, the completions, the settling and the close.</summary>
    public async Task<DayResult> PlayAsync(List<Popug> popugs, CancellationToken ct)
    {
        var startedAt = DateTime.UtcNow;
        var cpuBefore = Figures.CpuTime(ates);
        var clock = Stopwatch.StartNew();
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var settling = WatchSettlingAsync(clock, await RewardsAsync(ct), stopWatching.Token);
        TimeSpan created, completed, settled;
        Dictionary<string, TimeSpan> cpu;
        TimeSpan? resumed = null;
        IReadOnlyDictionary<Guid, DateTime> completedAt;
        List<Guid> tasks;
        long reassigned;
        var fault = options.Fault is { } name ? new Fault(name, ((DistributedAtes)ates).Deployment) : null;
        FaultReport? faultReport = null;
        var accounting = options.Backlog ? ates.Processes.Where(p => p.Name == "accounting" || p.Name.StartsWith("accounting-", StringComparison.Ordinal)).ToList() : [];
        try
        {
            Signal(accounting, Native.SIGSTOP);
            (tasks, reassigned) = await CreateAndShuffleAsync(popugs, ct);
            created = clock.Elapsed;
            fault?.BeforeCompletions();
            completedAt = await CompleteAsync(popugs, ct);
            completed = clock.Elapsed;
            if (options.Backlog)
            {
                resumed = clock.Elapsed;
                Signal(accounting, Native.SIGCONT);
            }
            if (fault is not null) faultReport = await fault.InjectAsync(ates, progress, tasks.Count, ct);
            if (completedAt.Count != tasks.Count)
                throw new InvalidOperationException($"{tasks.Count} tasks created but their assignees found only {completedAt.Count} open ones to complete.");
            settled = await settling;
            cpu = Figures.CpuUsed(cpuBefore, Figures.CpuTime(ates));
        }
        finally
        {
            await stopWatching.CancelAsync();
            fault?.Release();
            Signal(accounting, Native.SIGCONT);
        }

        var closing = Stopwatch.StartNew();
        var day = await CloseDayAsync(ct);
        progress.DayClosed = true;

        return new DayResult(startedAt, created, completed, settled, startedAt + settled, closing.Elapsed, day, popugs.Count, tasks, reassigned, completedAt)
            { Cpu = cpu, Resumed = resumed, Fault = faultReport };
    }

    static void Signal(IEnumerable<(string Name, int ProcessId)> processes, int signal)
    {
        foreach (var (_, pid) in processes) Native.Kill(pid, signal);
    }

    /// <summary>The accountant closes the day in Tasks; returns it once Accounting has closed it and paid out.</summary>
    public async Task<DateOnly> CloseDayAsync(CancellationToken ct)
    {
        var open = await api.GetAsync(_accountant, "tasks/api/days/open", ct);
        var closedDay = await api.PostAsync(_accountant, "tasks/api/days/close", new { day = open.GetProperty("day").GetString() }, ct);
        var day = DateOnly.Parse(closedDay.GetProperty("day").GetString()!, CultureInfo.InvariantCulture);
        await Eventually.UntilAsync(async () =>
        {
            var earnings = await api.GetAsync(_accountant, "accounting/api/earnings", ct);
            return earnings.GetProperty("days").EnumerateArray().Any(d => d.GetProperty("day").GetString() == closedDay.GetProperty("day").GetString());
        }, options.Patience, $"Accounting should close {day} after Tasks' marker", ct);
        return day;
    }

    /// <summary>Creates the workers, signs every assignable popug in, and waits until Accounting has an account for each.</summary>
    public async Task<List<Popug>> HireAsync(CancellationToken ct)
    {
        await Parallel.ForEachAsync(Enumerable.Range(1, options.Popugs), InParallel(ct), async (i, ct) =>
        {
            await api.PostAsync(_admin, "auth/api/users",
                new { name = $"Bench Popug {i}", email = $"popug{i}@bench.popug.inc", role = "worker", password = api.Password }, ct);
            Interlocked.Increment(ref progress.PopugsCreated);
        });

        // Tasks go to every active worker and accountant: the demo company's as well as the new ones.
        var users = await api.GetAsync(_admin, "auth/api/users", ct);
        var popugs = new List<Popug>();
        foreach (var user in users.EnumerateArray())
        {
            if (user.GetProperty("status").GetString() != "active" || user.GetProperty("role").GetString() is not ("worker" or "accountant")) continue;
            var email = user.GetProperty("email").GetString()!;
            var popug = email == _accountant.Email ? _accountant : new Popug(email);
            popug.Id = user.GetProperty("id").GetGuid();
            popugs.Add(popug);
        }
        await Parallel.ForEachAsync(popugs.Append(_manager), InParallel(ct), async (popug, ct) => await api.SignInAsync(popug, ct));

        var ids = popugs.Select(p => p.Id).ToHashSet();
        await Eventually.UntilAsync(async () =>
        {
            var accounts = await api.GetAsync(_accountant, "accounting/api/accounts", ct);
            return ids.IsSubsetOf(accounts.EnumerateArray().Select(a => a.GetProperty("account_id").GetGuid()));
        }, TimeSpan.FromMinutes(10), "Accounting should learn of every popug from Auth's user events", ct);
        return popugs;
    }

    /// <summary>T tasks in S + 1 equal waves, each created by a random popug; the manager shuffles between waves.</summary>
    async Task<(List<Guid> Tasks, long Reassigned)> CreateAndShuffleAsync(List<Popug> popugs, CancellationToken ct)
    {
        var tasks = new ConcurrentBag<Guid>();
        long reassigned = 0;
        for (var wave = 0; wave <= options.Shuffles; wave++)
        {
            var (from, to) = (options.Tasks * wave / (options.Shuffles + 1), options.Tasks * (wave + 1) / (options.Shuffles + 1));
            await Parallel.ForEachAsync(Enumerable.Range(from + 1, to - from), InParallel(ct), async (n, ct) =>
            {
                var creator = popugs[Random.Shared.Next(popugs.Count)];
                var task = await api.PostAsync(creator, "tasks/api/tasks",
                    new { title = $"Polish beak {n}", jira_id = $"BENCH-{n}", description = "A task of the benchmark's working day." }, ct);
                tasks.Add(task.GetProperty("id").GetGuid());
                Interlocked.Increment(ref progress.TasksCreated);
            });
            if (wave == options.Shuffles) break;
            var shuffle = await api.PostAsync(_manager, "tasks/api/tasks/shuffle", null, ct);
            reassigned += shuffle.GetProperty("reassigned").GetInt64();
            Interlocked.Increment(ref progress.Shuffles);
        }
        return ([.. tasks], reassigned);
    }

    /// <summary>Each popug lists their open tasks and completes them one after another; popugs work side by side.</summary>
    async Task<ConcurrentDictionary<Guid, DateTime>> CompleteAsync(List<Popug> popugs, CancellationToken ct)
    {
        var completedAt = new ConcurrentDictionary<Guid, DateTime>();
        await Parallel.ForEachAsync(popugs, InParallel(ct), async (popug, ct) =>
        {
            foreach (var task in (await api.GetAsync(popug, "tasks/api/tasks/mine", ct)).EnumerateArray())
            {
                var id = task.GetProperty("id").GetGuid();
                await api.PostAsync(popug, $"tasks/api/tasks/{id}/complete", null, ct);
                completedAt[id] = DateTime.UtcNow;
                Interlocked.Increment(ref progress.TasksCompleted);
            }
        });
        return completedAt;
    }

    async Task<int> RewardsAsync(CancellationToken ct)
    {
        await using var accounting = Books.Accounting(ates);
        return await accounting.Transactions.CountAsync(t => t.Kind == TransactionKind.Reward, ct);
    }

    /// <summary>
    /// Counts the rewards Accounting has posted since <paramref name="before"/> until every task's is there, and returns
    /// when that was seen. Polls every half second (a count over the ledger; more often would load the machine being
    /// measured), for at most the patience allowed.
    /// </summary>
    async Task<TimeSpan> WatchSettlingAsync(Stopwatch clock, int before, CancellationToken ct)
    {
        await using var accounting = Books.Accounting(ates);
        var deadline = clock.Elapsed + options.Patience;
        while (true)
        {
            try
            {
                progress.TasksSettled = await accounting.Transactions.CountAsync(t => t.Kind == TransactionKind.Reward, ct) - before;
            }
            catch (Exception e) when (options.Fault is not null && e is System.Data.Common.DbException or InvalidOperationException { InnerException: System.Data.Common.DbException })
            {
                // The database is down or just back (a fault of the run): look again at the next poll.
            }
            if (progress.TasksSettled >= options.Tasks) return clock.Elapsed;
            if (clock.Elapsed > deadline)
                throw new TimeoutException($"Accounting credited {progress.TasksSettled} of {options.Tasks} completed tasks within {options.Patience}.");
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    ParallelOptions InParallel(CancellationToken ct) => new() { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct };
}
