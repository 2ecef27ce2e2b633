using System.Net;
using System.Text.Json;
using Ates.Contracts;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;
using static Ates.Tasks.Tests.TasksSystem;

namespace Ates.Tasks.Tests;

/// <summary>Every task rule through the HTTP API, each with its refusals; a refusal stores nothing and publishes nothing.</summary>
public sealed class TaskApiTests : IAsyncLifetime
{
    TasksSystem _system = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await StartAsync();

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    async Task<JsonElement> CreateAsync(HttpClient api, string title, string? jiraId = null, string description = "")
    {
        using var response = await api.PostAsync("/api/tasks", Json(new { title, jira_id = jiraId, description }), Ct);
        return await AssertStatusAsync(response, 201);
    }

    async Task<(int Tasks, int Events)> CountsAsync() =>
        (await _system.DbAsync(db => db.Tasks.CountAsync()), (await _system.EventsAsync()).Count);

    [Fact]
    public async Task A_new_task_goes_to_an_eligible_popug_with_task_created_v2_and_task_assigned()
    {
        using var api = await _system.ApiAsync("manager@popug.inc");
        var task = await CreateAsync(api, "Fix the beak", "uberpop-42", "It squeaks.");

        Assert.Equal("Fix the beak", task.GetProperty("title").GetString());
        Assert.Equal("UBERPOP-42", task.GetProperty("jira_id").GetString());
        Assert.Equal("open", task.GetProperty("status").GetString());
        var assignee = await _system.UserAsync(task.GetProperty("assignee_id").GetGuid());
        Assert.True(assignee.CanBeAssigned, $"assigned to {assignee.Email} ({assignee.Role})");
        Assert.Equal(assignee.Name, task.GetProperty("assignee_name").GetString());

        var events = await _system.EventsAsync();
        Assert.Equal(["task.created", "task.assigned"], events.Select(e => e.Type));
        Assert.Equal(2, events[0].Version);
        var created = Data<TaskCreated>(events[0]);
        Assert.Equal((task.GetProperty("id").GetGuid(), "Fix the beak", "UBERPOP-42", "It squeaks.", 1L),
            (created.TaskId, created.Title, created.JiraId, created.Description, created.EntityVersion));
        var assigned = Data<TaskAssigned>(events[1]);
        Assert.Equal((created.TaskId, assignee.Id, (Guid?)null, AssignmentReason.Created),
            (assigned.TaskId, assigned.AssigneeId, assigned.PreviousAssigneeId, assigned.Reason));
    }

    [Theory]
    [InlineData("[UBERPOP-42] Fix the beak")]
    [InlineData("Fix the beak ]")]
    [InlineData("Fix [the] beak")]
    public async Task A_title_with_brackets_is_refused_with_a_pointer_to_jira_id(string title)
    {
        using var api = await _system.ApiAsync("worker1@popug.inc");
        using var response = await api.PostAsync("/api/tasks", Json(new { title, description = "" }), Ct);
        var problem = await AssertProblemAsync(response, 400);
        var message = problem.GetProperty("errors").GetProperty("title")[0].GetString()!;
        Assert.Contains("jira_id", message);
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Theory]
    [InlineData("""{"description":"no title"}""", "title")]
    [InlineData("""{"title":"   ","description":""}""", "title")]
    [InlineData("""{"title":"Fix","jira_id":"not a jira id"}""", "jira_id")]
    [InlineData("""{"title":"Fix","jira_id":"[UBERPOP-42]"}""", "jira_id")]
    public async Task Invalid_fields_are_named_in_the_problem(string body, string field)
    {
        using var api = await _system.ApiAsync("worker1@popug.inc");
        using var response = await api.PostAsync("/api/tasks", Json(body), Ct);
        var problem = await AssertProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Theory]
    [InlineData("""{"title": 42}""")]
    [InlineData("""{"title": "Fix", """)]
    [InlineData("""not json""")]
    public async Task Unreadable_bodies_are_a_400_problem_not_a_500(string body)
    {
        using var api = await _system.ApiAsync("worker1@popug.inc");
        using var response = await api.PostAsync("/api/tasks", Json(body), Ct);
        await AssertProblemAsync(response, 400);
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task Oversized_titles_and_descriptions_are_refused()
    {
        using var api = await _system.ApiAsync("worker1@popug.inc");
        using var longTitle = await api.PostAsync("/api/tasks", Json(new { title = new string('a', 201) }), Ct);
        await AssertProblemAsync(longTitle, 400);
        using var longText = await api.PostAsync("/api/tasks", Json(new { title = "Fine", description = new string('a', 4001) }), Ct);
        await AssertProblemAsync(longText, 400);
        Assert.Equal((0, 0), await CountsAsync());
    }

    /// <summary>On PostgreSQL a U+0000 in a title was a 500 (it refuses the character); on SQLite it was stored.</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Control_characters_in_the_text_are_refused(string database)
    {
        var system = database == "sqlite" ? _system : await StartAsync(database: database);
        try
        {
            using var api = await system.ApiAsync("worker1@popug.inc");
            foreach (var (title, description, field) in new[] { ("Paint\0", "", "title"), ("Paint\u001b[2J", "", "title"), ("Paint", "Two\nlines\0", "description") })
            {
                var problem = await AssertProblemAsync(await api.PostAsync("/api/tasks", Json(new { title, description }), Ct), 400);
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
            }
            Assert.Equal(0, await system.DbAsync(db => db.Tasks.CountAsync()));
            // Line breaks and tabs are text in a description.
            await AssertStatusAsync(await api.PostAsync("/api/tasks", Json(new { title = "Paint the fence", description = "Two\nlines\tand a tab" }), Ct), 201);
            Assert.Equal(1, await system.DbAsync(db => db.Tasks.CountAsync()));
        }
        finally
        {
            if (system != _system) await system.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_an_eligible_popug_creation_fails_and_stores_nothing()
    {
        // Deactivate everyone who can be assigned: the ten workers and the accountant.
        using var admin = await _system.AuthAdminAsync();
        var users = await _system.DbAsync(db => db.Users.Where(u => u.Role == UserRole.Worker || u.Role == UserRole.Accountant).Select(u => u.Id).ToListAsync());
        foreach (var id in users)
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{id}/deactivate", null, Ct)).StatusCode);
        await Ates.LocalServers.Eventually.UntilAsync(async () => (await _system.DbAsync(db => db.EligibleAsync(Ct))).Count == 0,
            TimeSpan.FromSeconds(30), "the deactivations should reach Tasks", Ct);

        using var api = await _system.ApiAsync("manager@popug.inc");
        using var response = await api.PostAsync("/api/tasks", Json(new { title = "Nobody will do this" }), Ct);
        var problem = await AssertProblemAsync(response, 409);
        Assert.Contains("Nothing was stored", problem.GetProperty("detail").GetString());
        Assert.Equal((0, 0), await CountsAsync());

        using var shuffle = await api.PostAsync("/api/tasks/shuffle", null, Ct);
        await AssertProblemAsync(shuffle, 409);
    }

    [Fact]
    public async Task Only_the_assignee_completes_and_only_once()
    {
        using var manager = await _system.ApiAsync("manager@popug.inc");
        var task = await CreateAsync(manager, "Sharpen the beak");
        var id = task.GetProperty("id").GetGuid();
        var assignee = await _system.UserAsync(task.GetProperty("assignee_id").GetGuid());
        var other = assignee.Email == "worker1@popug.inc" ? "worker2@popug.inc" : "worker1@popug.inc";
        var before = await _system.LastSequenceAsync();

        using var stranger = await _system.ApiAsync(other);
        await AssertProblemAsync(await stranger.PostAsync($"/api/tasks/{id}/complete", null, Ct), 403);
        await AssertProblemAsync(await manager.PostAsync($"/api/tasks/{id}/complete", null, Ct), 403);
        await AssertProblemAsync(await stranger.PostAsync($"/api/tasks/{Guid.NewGuid()}/complete", null, Ct), 404);
        Assert.Empty(await _system.EventsAsync(before));

        using var owner = await _system.ApiAsync(assignee.Email);
        var done = await AssertStatusAsync(await owner.PostAsync($"/api/tasks/{id}/complete", null, Ct), 200);
        Assert.Equal("done", done.GetProperty("status").GetString());
        var completed = Assert.Single(await _system.EventsAsync(before));
        Assert.Equal("task.completed", completed.Type);
        Assert.Equal((id, assignee.Id), (Data<TaskCompleted>(completed).TaskId, Data<TaskCompleted>(completed).AssigneeId));

        var again = await AssertProblemAsync(await owner.PostAsync($"/api/tasks/{id}/complete", null, Ct), 409);
        Assert.Contains("already", again.GetProperty("title").GetString());
        Assert.Single(await _system.EventsAsync(before));
    }

    [Fact]
    public async Task Shuffle_is_for_managers_and_admins_and_reassigns_every_open_task_but_not_done_ones()
    {
        using var manager = await _system.ApiAsync("manager@popug.inc");
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add((await CreateAsync(manager, $"Task {i}")).GetProperty("id").GetGuid());
        var first = await _system.DbAsync(db => db.Tasks.SingleAsync(t => t.Id == ids[0]));
        var assigneeEmail = (await _system.UserAsync(first.AssigneeId)).Email;
        using (var owner = await _system.ApiAsync(assigneeEmail))
            await AssertStatusAsync(await owner.PostAsync($"/api/tasks/{ids[0]}/complete", null, Ct), 200);
        var before = await _system.LastSequenceAsync();

        foreach (var role in new[] { "worker1@popug.inc", "accountant@popug.inc" })
        {
            using var refused = await _system.ApiAsync(role);
            await AssertProblemAsync(await refused.PostAsync("/api/tasks/shuffle", null, Ct), 403);
        }
        using var anonymous = await _system.ApiAsync(null);
        await AssertProblemAsync(await anonymous.PostAsync("/api/tasks/shuffle", null, Ct), 401);
        Assert.Empty(await _system.EventsAsync(before));

        foreach (var who in new[] { "manager@popug.inc", "admin@popug.inc" })
        {
            var mark = await _system.LastSequenceAsync();
            using var api = await _system.ApiAsync(who);
            var result = await AssertStatusAsync(await api.PostAsync("/api/tasks/shuffle", null, Ct), 200);
            Assert.Equal(5, result.GetProperty("reassigned").GetInt32());
            var events = await _system.EventsAsync(mark);
            Assert.All(events, e => Assert.Equal("task.assigned", e.Type));
            var assigned = events.Select(Data<TaskAssigned>).ToList();
            Assert.Equal(ids.Skip(1).Order(), assigned.Select(a => a.TaskId).Order());
            Assert.All(assigned, a => Assert.Equal(AssignmentReason.Shuffle, a.Reason));
            var tasks = await _system.DbAsync(db => db.Tasks.AsNoTracking().ToDictionaryAsync(t => t.Id));
            foreach (var a in assigned)
            {
                Assert.Equal(tasks[a.TaskId].AssigneeId, a.AssigneeId);
                Assert.True((await _system.UserAsync(a.AssigneeId)).CanBeAssigned);
            }
        }
        var done = await _system.DbAsync(db => db.Tasks.SingleAsync(t => t.Id == ids[0]));
        Assert.Equal((TaskState.Done, first.AssigneeId), (done.State, done.AssigneeId));
    }

    [Fact]
    public async Task Editing_publishes_task_updated_with_the_next_version_and_refuses_brackets_and_unknown_ids()
    {
        using var api = await _system.ApiAsync("worker3@popug.inc");
        var id = (await CreateAsync(api, "Paint the perch")).GetProperty("id").GetGuid();
        var before = await _system.LastSequenceAsync();

        var edited = await AssertStatusAsync(await api.PutAsync($"/api/tasks/{id}",
            Json(new { title = "Paint the perch green", jira_id = "UBERPOP-7", description = "Two coats." }), Ct), 200);
        Assert.Equal(2, edited.GetProperty("entity_version").GetInt64());
        var updated = Data<TaskUpdated>(Assert.Single(await _system.EventsAsync(before)));
        Assert.Equal((id, "Paint the perch green", "UBERPOP-7", "Two coats.", 2L),
            (updated.TaskId, updated.Title, updated.JiraId, updated.Description, updated.EntityVersion));

        // The same text again changes nothing and publishes nothing.
        await AssertStatusAsync(await api.PutAsync($"/api/tasks/{id}",
            Json(new { title = "Paint the perch green", jira_id = "UBERPOP-7", description = "Two coats." }), Ct), 200);
        var problem = await AssertProblemAsync(await api.PutAsync($"/api/tasks/{id}", Json(new { title = "[UBERPOP-7] Paint" }), Ct), 400);
        Assert.Contains("jira_id", problem.GetProperty("errors").GetProperty("title")[0].GetString());
        await AssertProblemAsync(await api.PutAsync($"/api/tasks/{Guid.NewGuid()}", Json(new { title = "Paint" }), Ct), 404);
        Assert.Single(await _system.EventsAsync(before));
        Assert.Equal("Paint the perch green", (await _system.DbAsync(db => db.Tasks.SingleAsync(t => t.Id == id))).Title);
    }

    [Fact]
    public async Task Everyone_lists_tasks_filtered_by_status_and_assignee_and_sees_their_own_open_tasks()
    {
        using var manager = await _system.ApiAsync("manager@popug.inc");
        for (var i = 0; i < 8; i++) await CreateAsync(manager, $"Task {i}");
        var tasks = await _system.DbAsync(db => db.Tasks.AsNoTracking().ToListAsync());
        var someone = tasks[0].AssigneeId;
        var email = (await _system.UserAsync(someone)).Email;
        using var worker = await _system.ApiAsync(email);
        await AssertStatusAsync(await worker.PostAsync($"/api/tasks/{tasks[0].Id}/complete", null, Ct), 200);

        var all = await AssertStatusAsync(await worker.GetAsync("/api/tasks", Ct), 200);
        Assert.Equal(8, all.GetProperty("total").GetInt32());
        var open = await AssertStatusAsync(await worker.GetAsync("/api/tasks?status=open", Ct), 200);
        Assert.Equal(7, open.GetProperty("total").GetInt32());
        var done = await AssertStatusAsync(await worker.GetAsync("/api/tasks?status=DONE", Ct), 200);
        Assert.Equal(tasks[0].Id, Assert.Single(done.GetProperty("tasks").EnumerateArray()).GetProperty("id").GetGuid());
        var theirs = await AssertStatusAsync(await worker.GetAsync($"/api/tasks?assignee={someone}", Ct), 200);
        Assert.Equal(tasks.Count(t => t.AssigneeId == someone), theirs.GetProperty("total").GetInt32());

        var mine = await AssertStatusAsync(await worker.GetAsync("/api/tasks/mine", Ct), 200);
        Assert.Equal(tasks.Where(t => t.AssigneeId == someone && t.Id != tasks[0].Id).Select(t => t.Id).Order(),
            mine.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).Order());

        await AssertProblemAsync(await worker.GetAsync("/api/tasks?status=closed", Ct), 400);
        await AssertProblemAsync(await worker.GetAsync("/api/tasks?limit=0", Ct), 400);
        await AssertProblemAsync(await worker.GetAsync("/api/tasks?assignee=kesha", Ct), 400);
        await AssertProblemAsync(await worker.GetAsync($"/api/tasks/{Guid.NewGuid()}", Ct), 404);
        using var anonymous = await _system.ApiAsync(null);
        await AssertProblemAsync(await anonymous.GetAsync("/api/tasks", Ct), 401);
    }

    [Fact]
    public async Task A_deactivated_popugs_token_is_refused_within_seconds()
    {
        using var worker = await _system.ApiAsync("worker5@popug.inc");
        await AssertStatusAsync(await worker.GetAsync("/api/tasks", Ct), 200);
        using var admin = await _system.AuthAdminAsync();
        var id = await _system.UserIdAsync("worker5@popug.inc");
        Assert.True((await admin.PostAsync($"/api/users/{id}/deactivate", null, Ct)).IsSuccessStatusCode);
        await Ates.LocalServers.Eventually.UntilAsync(async () => (await worker.GetAsync("/api/tasks", Ct)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the still-valid token of a deactivated popug should be refused", Ct);
        await AssertProblemAsync(await worker.PostAsync("/api/tasks", Json(new { title = "Sneaky" }), Ct), 401);
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task The_api_is_described_by_an_openapi_document_and_a_browsable_reference()
    {
        using var anonymous = await _system.ApiAsync(null);
        var document = await AssertStatusAsync(await anonymous.GetAsync("/openapi/v1.json", Ct), 200);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/tasks", paths);
        Assert.Contains("/api/tasks/shuffle", paths);
        Assert.Contains("/api/tasks/{id}/complete", paths);
        Assert.Contains("/api/days/close", paths);
        Assert.DoesNotContain("/new", paths);
        using var reference = await anonymous.GetAsync("/api/docs/", Ct);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal("text/html", reference.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await reference.Content.ReadAsStringAsync(Ct));
    }
}
