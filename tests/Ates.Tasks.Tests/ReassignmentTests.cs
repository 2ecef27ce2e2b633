using Ates.Auth.Data;
using Ates.Contracts;
using Ates.Messaging;
using Ates.Messaging.Envelope;
using Ates.Messaging.Outbox;
using Ates.Messaging.Transports;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.Domain;
using Ates.LocalServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>
/// A popug who leaves (deactivated, or made admin or manager) has their open tasks reassigned when their user.updated
/// reaches Tasks — once, however often or late that event comes.
/// </summary>
public sealed class ReassignmentTests : IAsyncLifetime
{
    TasksSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await StartAsync();

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    /// <summary>Creates tasks until <paramref name="email"/> holds three open ones; completes one of theirs (it must stay).</summary>
    async Task<(Guid Leaver, List<Guid> Open, Guid Done)> WorkerWithTasksAsync(string email)
    {
        var leaver = await _system.UserIdAsync(email);
        using var manager = await _system.ApiAsync("manager@popug.inc");
        while (await _system.DbAsync(db => db.Tasks.CountAsync(t => t.AssigneeId == leaver)) < 4)
            await AssertStatusAsync(await manager.PostAsync("/api/tasks", Json(new { title = "Polish the perch" }), Ct), 201);
        var theirs = await _system.DbAsync(db => db.Tasks.Where(t => t.AssigneeId == leaver).Select(t => t.Id).ToListAsync());
        using var worker = await _system.ApiAsync(email);
        await AssertStatusAsync(await worker.PostAsync($"/api/tasks/{theirs[0]}/complete", null, Ct), 200);
        return (leaver, theirs.Skip(1).ToList(), theirs[0]);
    }

    async Task<List<TaskAssigned>> LeftAssignmentsAsync() =>
        (await _system.EventsAsync()).Where(e => e.Type == "task.assigned").Select(Data<TaskAssigned>)
            .Where(a => a.Reason == AssignmentReason.AssigneeLeft).ToList();

    [Fact]
    public async Task Deactivation_reassigns_open_tasks_once_even_when_the_event_comes_again_or_late()
    {
        var (leaver, open, done) = await WorkerWithTasksAsync("worker4@popug.inc");
        using var admin = await _system.AuthAdminAsync();
        Assert.True((await admin.PostAsync($"/api/users/{leaver}/deactivate", null, Ct)).IsSuccessStatusCode);

        await Eventually.UntilAsync(async () => (await LeftAssignmentsAsync()).Count == open.Count, TimeSpan.FromSeconds(30),
            "the leaver's open tasks should be reassigned", Ct);
        var moved = await LeftAssignmentsAsync();
        Assert.Equal(open.Order(), moved.Select(a => a.TaskId).Order());
        Assert.All(moved, a => Assert.Equal(leaver, a.PreviousAssigneeId));
        Assert.All(moved, a => Assert.NotEqual(leaver, a.AssigneeId));
        foreach (var a in moved) Assert.True((await _system.UserAsync(a.AssigneeId)).CanBeAssigned);
        Assert.Equal(0, await _system.DbAsync(db => db.Tasks.CountAsync(t => t.AssigneeId == leaver && t.State == TaskState.Open)));
        Assert.Equal(leaver, (await _system.DbAsync(db => db.Tasks.SingleAsync(t => t.Id == done))).AssigneeId);
        var after = await _system.LastSequenceAsync();

        // Again: Auth's whole log replayed into Tasks (same event ids), then the same snapshots under new ids
        // (a producer that sent them twice) and the user's older snapshot arriving late.
        await using var scope = _system.Auth.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EventLog<AuthDb>>().ReplayAsync("tasks", 1, null, Ct);
        var theirEvents = await scope.ServiceProvider.GetRequiredService<AuthDb>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.PartitionKey == leaver.ToString()).OrderBy(m => m.Sequence).ToListAsync(Ct);
        Assert.Equal(["user.created", "user.updated"], theirEvents.Select(m => m.Type));
        var transport = scope.ServiceProvider.GetRequiredService<IEventTransport>();
        foreach (var row in theirEvents.AsEnumerable().Reverse())
            await transport.SendToConsumerAsync("tasks", [Resent(row)], Ct);

        Assert.Empty(await _system.EventsAsync(after));
        Assert.False((await _system.UserAsync(leaver)).IsActive);
    }

    [Theory]
    [InlineData("manager")]
    [InlineData("admin")]
    public async Task A_popug_made_manager_or_admin_hands_their_open_tasks_on(string role)
    {
        var (leaver, open, _) = await WorkerWithTasksAsync("worker6@popug.inc");
        using var admin = await _system.AuthAdminAsync();
        Assert.True((await admin.PutAsync($"/api/users/{leaver}/role", Json(new { role }), Ct)).IsSuccessStatusCode);

        await Eventually.UntilAsync(async () => (await LeftAssignmentsAsync()).Count == open.Count, TimeSpan.FromSeconds(30),
            "the promoted popug's open tasks should be reassigned", Ct);
        Assert.All(await LeftAssignmentsAsync(), a => Assert.Equal(leaver, a.PreviousAssigneeId));
        Assert.Equal(0, await _system.DbAsync(db => db.Tasks.CountAsync(t => t.AssigneeId == leaver && t.State == TaskState.Open)));

        // A manager or admin is never given a task again.
        using var manager = await _system.ApiAsync("manager@popug.inc");
        for (var i = 0; i < 20; i++) await AssertStatusAsync(await manager.PostAsync("/api/tasks", Json(new { title = $"After {i}" }), Ct), 201);
        await AssertStatusAsync(await manager.PostAsync("/api/tasks/shuffle", null, Ct), 200);
        Assert.Equal(0, await _system.DbAsync(db => db.Tasks.CountAsync(t => t.AssigneeId == leaver && t.State == TaskState.Open)));
    }

    [Fact]
    public async Task Tasks_left_with_nobody_to_take_them_wait_and_move_when_someone_can_be_assigned_again()
    {
        var (leaver, _, _) = await WorkerWithTasksAsync("worker7@popug.inc");
        using var admin = await _system.AuthAdminAsync();
        // Everyone else who could take a task becomes a manager (their tasks go to whoever is left), then the leaver goes.
        var others = await _system.DbAsync(db => db.Users.Where(KnownUser.Assignable).Where(u => u.Id != leaver).Select(u => u.Id).ToListAsync());
        foreach (var id in others)
            Assert.True((await admin.PutAsync($"/api/users/{id}/role", Json(new { role = "manager" }), Ct)).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync($"/api/users/{leaver}/deactivate", null, Ct)).IsSuccessStatusCode);
        await Eventually.UntilAsync(async () => await _system.DbAsync(db => db.Users.CountAsync(u => u.EntityVersion > 0 && u.Status == UserStatus.Deactivated)) == 1
                && await _system.DbAsync(db => db.Users.Where(KnownUser.Assignable).CountAsync()) == 0,
            TimeSpan.FromSeconds(30), "Tasks should know that nobody can be assigned", Ct);
        var stranded = await _system.DbAsync(db => db.Tasks.Where(t => t.State == TaskState.Open).Select(t => t.Id).ToListAsync());
        Assert.NotEmpty(stranded);
        Assert.Equal(stranded.Count, await _system.DbAsync(db => db.Tasks.CountAsync(t => t.State == TaskState.Open && t.AssigneeId == leaver)));

        // One manager becomes a worker again: every stranded task is theirs, each moved once.
        var back = others[0];
        var before = (await LeftAssignmentsAsync()).Count;
        Assert.True((await admin.PutAsync($"/api/users/{back}/role", Json(new { role = "worker" }), Ct)).IsSuccessStatusCode);
        await Eventually.UntilAsync(async () => await _system.DbAsync(db => db.Tasks.CountAsync(t => t.State == TaskState.Open && t.AssigneeId == back)) == stranded.Count,
            TimeSpan.FromSeconds(30), "the stranded tasks should go to the one who can take them", Ct);
        var moved = (await LeftAssignmentsAsync()).Skip(before).ToList();
        Assert.Equal(stranded.Order(), moved.Select(a => a.TaskId).Order());
        Assert.All(moved, a => Assert.Equal(((Guid?)leaver, back), (a.PreviousAssigneeId, a.AssigneeId)));
    }

    /// <summary>The same payload as a new delivery with a new id: the inbox cannot recognise it, only the entity version can.</summary>
    static EventEnvelope Resent(OutboxMessage row) => new(Guid.NewGuid(), EventEnvelope.SourceOf("auth"), row.Type, row.Version,
        DateTimeOffset.UtcNow, row.DataSchema, row.Sequence, row.PartitionKey, null, row.Data);
}
