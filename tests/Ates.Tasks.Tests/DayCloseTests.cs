using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.Tasks.ClosingDay;
using Ates.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>
/// The day-closed marker: which task events belong to the day it closes, on schedule and by hand, with a fake clock.
/// </summary>
public sealed class DayCloseTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly DateOnly March3 = new(2026, 3, 3);

    static async Task CreateTasksAsync(HttpClient api, int count, string prefix)
    {
        for (var i = 0; i < count; i++) await AssertStatusAsync(await api.PostAsync("/api/tasks", Json(new { title = $"{prefix} {i}" }), Ct), 201);
    }

    static async Task<List<(OutboxMessage Row, TasksDayClosed Marker)>> MarkersAsync(TasksSystem system) =>
        (await system.EventsAsync()).Where(e => e.Type == "tasks.day_closed").Select(e => (e, Data<TasksDayClosed>(e))).ToList();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_marker_covers_exactly_the_days_task_events_while_the_next_days_are_being_written(string database)
    {
        await using var system = await StartAsync(database: database);
        system.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 23, 50, 0, TimeSpan.Zero));
        using var api = await system.ApiAsync("manager@popug.inc");
        await CreateTasksAsync(api, 3, "Before midnight"); // 6 task events on 3 March
        var midnight = new DateTimeOffset(2026, 3, 4, 0, 0, 0, TimeSpan.Zero);
        system.Clock.SetUtcNow(midnight.AddSeconds(5));

        // Tasks of 4 March are created while the close of 3 March runs.
        var writing = Task.Run(() => CreateTasksAsync(api, 15, "After midnight"), Ct);
        await using (var scope = system.Tasks.Services.CreateAsyncScope())
        {
            var closed = await scope.ServiceProvider.GetRequiredService<DayCloser>().CloseEndedDaysAsync(Ct);
            Assert.Equal([March3], closed.Select(d => d.Day));
        }
        await writing;

        var (markerRow, marker) = Assert.Single(await MarkersAsync(system));
        var taskEvents = (await system.EventsAsync()).Where(e => e.Type != "tasks.day_closed").ToList();
        Assert.Equal(36, taskEvents.Count);
        var ofMarch3 = taskEvents.Where(e => e.Sequence > marker.PreviousSequence && e.Sequence <= marker.LastSequence).ToList();
        Assert.Equal((March3, 0L, 6L), (marker.Day, marker.PreviousSequence, marker.TaskEvents));
        Assert.Equal(6, ofMarch3.Count);
        Assert.All(ofMarch3, e => Assert.True(e.OccurredAt < midnight.UtcDateTime));
        Assert.All(taskEvents.Except(ofMarch3), e => Assert.True(e.OccurredAt >= midnight.UtcDateTime && e.Sequence > marker.LastSequence));
        // Each assignment names the billing day whose marker counts it.
        Assert.All(ofMarch3.Where(e => e.Type == "task.assigned"), e => Assert.Equal(March3, Data<TaskAssigned>(e).BillingDay));
        Assert.All(taskEvents.Except(ofMarch3).Where(e => e.Type == "task.assigned"), e => Assert.Equal(March3.AddDays(1), Data<TaskAssigned>(e).BillingDay));

        // A second close of the same moment closes nothing.
        await using (var scope = system.Tasks.Services.CreateAsyncScope())
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<DayCloser>().CloseEndedDaysAsync(Ct));

        // By hand (an accountant): 4 March closes with everything written since, and 5 March opens.
        using var worker = await system.ApiAsync("worker1@popug.inc");
        var march4 = new { day = "2026-03-04" };
        await AssertProblemAsync(await worker.PostAsync("/api/days/close", Json(march4), Ct), 403);
        using var manager = await system.ApiAsync("manager@popug.inc");
        await AssertProblemAsync(await manager.PostAsync("/api/days/close", Json(march4), Ct), 403);
        using var accountant = await system.ApiAsync("accountant@popug.inc");
        // The caller names the day: without it, or naming a day that is not open, nothing closes.
        await AssertProblemAsync(await accountant.PostAsync("/api/days/close", null, Ct), 400);
        var notOpen = await AssertProblemAsync(await accountant.PostAsync("/api/days/close", Json(new { day = "2026-03-05" }), Ct), 409);
        Assert.Contains("the open day is 2026-03-04", notOpen.GetProperty("detail").GetString());
        Assert.Single(await MarkersAsync(system));
        // A double click: two closes of 4 March at once close it once, and 5 March stays open.
        var twice = await Task.WhenAll(accountant.PostAsync("/api/days/close", Json(march4), Ct), accountant.PostAsync("/api/days/close", Json(march4), Ct));
        Assert.Equal([200, 409], twice.Select(r => (int)r.StatusCode).Order());
        var byHand = await AssertStatusAsync(twice.Single(r => r.IsSuccessStatusCode), 200);
        Assert.Equal("2026-03-04", byHand.GetProperty("day").GetString());
        var again = await AssertProblemAsync(await accountant.PostAsync("/api/days/close", Json(march4), Ct), 409);
        Assert.Contains("2026-03-04 is not the open day; the open day is 2026-03-05", again.GetProperty("detail").GetString());
        Assert.Equal(2, (await MarkersAsync(system)).Count);
        var next = (await MarkersAsync(system))[1].Marker;
        Assert.Equal((new DateOnly(2026, 3, 4), marker.LastSequence, 30L, taskEvents.Max(e => e.Sequence)),
            (next.Day, next.PreviousSequence, next.TaskEvents, next.LastSequence));
        var open = await AssertStatusAsync(await accountant.GetAsync("/api/days/open", Ct), 200);
        Assert.Equal("2026-03-05", open.GetProperty("day").GetString());

        // 4 March was closed early: what is written on it from now on belongs to 5 March, and its marker will count it.
        await CreateTasksAsync(api, 1, "After the early close");
        var late = (await system.EventsAsync()).Last(e => e.Type == "task.assigned");
        Assert.Equal((new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 4)),
            (Data<TaskAssigned>(late).BillingDay, DateOnly.FromDateTime(late.OccurredAt)));
    }

    [Fact]
    public async Task The_schedule_closes_each_ended_day_at_midnight_in_the_configured_zone_catching_up_after_downtime()
    {
        // Moscow is UTC+3: 3 March ends at 21:00 UTC.
        await using var system = await StartAsync(daySchedule: "0 0 * * *", timeZone: "Europe/Moscow");
        system.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 20, 55, 0, TimeSpan.Zero));
        using var api = await system.ApiAsync("manager@popug.inc");
        await CreateTasksAsync(api, 2, "Evening");
        Assert.Empty(await MarkersAsync(system));

        system.Clock.Advance(TimeSpan.FromMinutes(6)); // 00:01 in Moscow, 4 March
        await Eventually.UntilAsync(async () => (await MarkersAsync(system)).Count == 1, TimeSpan.FromSeconds(20),
            "the schedule should close 3 March at midnight Moscow time", Ct);
        var first = (await MarkersAsync(system))[0].Marker;
        Assert.Equal((March3, 0L, 4L, 4L), (first.Day, first.PreviousSequence, first.LastSequence, first.TaskEvents));

        // Three quiet days later: each ended day gets its own (empty) marker, in order.
        system.Clock.Advance(TimeSpan.FromDays(3));
        await Eventually.UntilAsync(async () => (await MarkersAsync(system)).Count == 4, TimeSpan.FromSeconds(20),
            "the schedule should close 4, 5 and 6 March", Ct);
        var markers = (await MarkersAsync(system)).Select(m => m.Marker).ToList();
        Assert.Equal([March3, March3.AddDays(1), March3.AddDays(2), March3.AddDays(3)], markers.Select(m => m.Day));
        Assert.All(markers.Skip(1), m => Assert.Equal((4L, 4L, 0L), (m.PreviousSequence, m.LastSequence, m.TaskEvents)));
    }

    [Fact]
    public async Task An_old_task_created_v1_in_the_log_is_still_read_as_v2()
    {
        await using var system = await StartAsync();
        var id = Guid.NewGuid();
        // As an older Tasks wrote it: the jira id inside the title.
        var data = $$"""{"task_id":"{{id}}","title":"[UBERPOP-42] - Fix the beak","description":"It squeaks."}""";
        Assert.True(Ates.Contracts.EventRegistry.Default.Validate("task.created", 1, data).IsValid);
        await system.DbAsync(async db =>
        {
            db.Add(new OutboxMessage
            {
                EventId = Guid.NewGuid(), Type = "task.created", Version = 1, DataSchema = "ates:schemas/tasks/task.created/1.json",
                PartitionKey = id.ToString(), Data = data, OccurredAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        var row = Assert.Single(await system.EventsAsync(), e => e.Type == "task.created");
        var read = Data<TaskCreated>(row);
        Assert.Equal((id, "Fix the beak", "UBERPOP-42", "It squeaks.", 1L), (read.TaskId, read.Title, read.JiraId, read.Description, read.EntityVersion));
    }
}
