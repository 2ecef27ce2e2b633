using Ates.Contracts;
using Ates.Tasks.Creating;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>
/// The shuffle with the real random source: every open task moves once, in chunks of 300 (four transactions, the last
/// a part), and the popugs get fair shares.
/// </summary>
public sealed class ShuffleFairnessTests : IAsyncLifetime
{
    TasksSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await StartAsync(shuffleChunkSize: 300);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Shuffling_1000_open_tasks_over_10_workers_reassigns_each_once_with_shares_near_one_tenth()
    {
        // Ten eligible workers: the accountant (also eligible) is deactivated first.
        var accountant = await _system.UserIdAsync("accountant@popug.inc");
        using (var admin = await _system.AuthAdminAsync())
            Assert.True((await admin.PostAsync($"/api/users/{accountant}/deactivate", null, Ct)).IsSuccessStatusCode);
        await Ates.LocalServers.Eventually.UntilAsync(async () => !(await _system.UserAsync(accountant)).IsActive,
            TimeSpan.FromSeconds(30), "the deactivation should reach Tasks", Ct);
        var workers = await _system.DbAsync(db => db.Users.Where(u => u.Role == UserRole.Worker).Select(u => u.Id).ToListAsync());
        Assert.Equal(10, workers.Count);

        // 1,000 open tasks, created through the API (so each has its task.created and task.assigned).
        using var manager = await _system.ApiAsync("manager@popug.inc");
        var creates = Enumerable.Range(0, 1000).Select(i => manager.PostAsync("/api/tasks", Json(new TaskInput($"Task {i}", null, "")), Ct));
        foreach (var batch in creates.Chunk(50))
            foreach (var response in await Task.WhenAll(batch)) await AssertStatusAsync(response, 201);
        var mark = await _system.LastSequenceAsync();

        var result = await AssertStatusAsync(await manager.PostAsync("/api/tasks/shuffle", null, Ct), 200);
        Assert.Equal(1000, result.GetProperty("reassigned").GetInt32());

        var assigned = (await _system.EventsAsync(mark)).Select(Data<TaskAssigned>).ToList();
        Assert.Equal(1000, assigned.Count);
        Assert.Equal(1000, assigned.Select(a => a.TaskId).Distinct().Count());
        Assert.All(assigned, a => Assert.Equal(AssignmentReason.Shuffle, a.Reason));
        var tasks = await _system.DbAsync(db => db.Tasks.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.AssigneeId));
        Assert.All(assigned, a => Assert.Equal(tasks[a.TaskId], a.AssigneeId));

        // Binomial(1000, 1/10) per worker: mean 100, sd 9.5. A 5-sd band (53..147) and Pearson's chi-square with 9
        // degrees of freedom below 40 (p < 1e-5 under fair picks) fail a biased pick and almost never a fair one.
        var shares = workers.ToDictionary(w => w, w => assigned.Count(a => a.AssigneeId == w));
        Assert.Equal(1000, shares.Values.Sum());
        Assert.All(shares, s => Assert.InRange(s.Value, 53, 147));
        var chiSquare = shares.Values.Sum(n => (n - 100.0) * (n - 100.0) / 100.0);
        Assert.True(chiSquare < 40, $"chi-square {chiSquare:F1}; shares {string.Join(", ", shares.Values)}");
        TestContext.Current.SendDiagnosticMessage($"shares: {string.Join(", ", shares.Values.Order())}; chi-square {chiSquare:F1}");
    }

    [Fact]
    public void The_pick_is_uniform_over_the_eligible_list()
    {
        var random = new SecureRandomPick();
        var eligible = Enumerable.Range(0, 7).Select(_ => Guid.NewGuid()).ToList();
        var counts = eligible.ToDictionary(id => id, _ => 0);
        for (var i = 0; i < 70_000; i++) counts[Assignment.Pick(eligible, random)!.Value]++;
        // 10,000 expected each, sd 92: a 6-sd band.
        Assert.All(counts.Values, n => Assert.InRange(n, 9_450, 10_550));
        Assert.Null(Assignment.Pick([], random));
    }
}
