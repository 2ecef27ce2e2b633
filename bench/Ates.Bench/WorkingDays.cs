using System.Diagnostics;

namespace Ates.Bench;

/// <summary>One day of many: how fast it settled, how long its close took and how long the accountant's reads took after it.</summary>
public sealed record DayRow(int Number, DateOnly Day, double TasksSettledPerSecond, double DayCloseSeconds, double AccountsMs, double EarningsMs,
    bool Correct, IReadOnlyList<string> Failures);

public sealed record DaysReport(string Machine, DateTime RunAt, BenchOptions Options, IReadOnlyList<DayRow> Days)
{
    public bool Passed => Days.All(d => d.Correct);
}

/// <summary>
/// Working days in a row on one system (<c>--days N</c>): the popugs hired once, then each day's tasks, shuffles and
/// completions, the close and the payout. After each close the accountant's accounts and earnings are read (the API
/// behind the accountant's page; the median of five reads each) and the money is checked over every day so far.
/// The close and the reads must cost as much on the last day as on the first.
/// </summary>
public static class WorkingDays
{
    const int Reads = 5;

    public static async Task<DaysReport> RunAsync(BenchOptions options, Action<DayRow> report, TextWriter log, CancellationToken ct)
    {
        var (ates, password) = await Bench.StartAsync(options, log, ct);
        await using (ates) return await PlayAsync(ates, password, options, report, ct);
    }

    /// <summary>The days on a running system (see <see cref="RunAsync"/>).</summary>
    public static async Task<DaysReport> PlayAsync(IAtes ates, string password, BenchOptions options, Action<DayRow> report, CancellationToken ct)
    {
        using var api = new AtesApi(ates.Url, password);
        var runAt = DateTime.UtcNow;
        var accountant = new Popug("accountant@popug.inc");
        var popugs = await new WorkingDay(api, ates, options, new DayProgress()).HireAsync(ct);

        var rows = new List<DayRow>();
        var tasks = new List<Guid>();
        var completedAt = new Dictionary<Guid, DateTime>();
        long reassigned = 0;
        for (var number = 1; number <= options.Days; number++)
        {
            var day = await new WorkingDay(api, ates, options, new DayProgress()).PlayAsync(popugs, ct);
            tasks.AddRange(day.Tasks);
            foreach (var (id, at) in day.CompletedAt) completedAt[id] = at;
            reassigned += day.Reassigned;

            var accounts = await MedianMsAsync(() => api.GetAsync(accountant, "accounting/api/accounts", ct));
            var earnings = await MedianMsAsync(() => api.GetAsync(accountant, "accounting/api/earnings", ct));
            // Every day so far: each task credited once and charged per assignment, and this day's payouts.
            var check = await EndState.VerifyAsync(ates, day with { Tasks = tasks, Reassigned = reassigned, CompletedAt = completedAt }, ct);
            var row = new DayRow(number, day.Day, options.Tasks / day.Settled.TotalSeconds, day.DayClose.TotalSeconds, accounts, earnings,
                check.Passed, check.Failures);
            rows.Add(row);
            report(row);
        }
        return new DaysReport(Bench.Machine(), runAt, options, rows);
    }

    static async Task<double> MedianMsAsync(Func<Task> read)
    {
        var times = new List<double>(Reads);
        for (var i = 0; i < Reads; i++)
        {
            var clock = Stopwatch.StartNew();
            await read();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[Reads / 2];
    }
}
