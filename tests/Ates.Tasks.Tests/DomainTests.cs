using Ates.Contracts;
using Ates.ServiceDefaults.Users;
using Ates.Tasks.Domain;

namespace Ates.Tasks.Tests;

/// <summary>The task rules on their own: no database, no HTTP.</summary>
public sealed class DomainTests
{
    static readonly DateTimeOffset Now = new(2026, 3, 3, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("[UBERPOP-42] Fix the beak")]
    [InlineData("Fix the beak]")]
    [InlineData("[")]
    public void Brackets_in_a_title_are_refused_with_a_pointer_to_the_jira_id_field(string title)
    {
        var (text, errors) = TaskText.Parse(title, null, "");
        Assert.Null(text);
        Assert.Contains("jira_id", Assert.Single(errors["title"]));
    }

    [Fact]
    public void Text_is_trimmed_and_the_jira_id_upper_cased_or_refused()
    {
        var (text, _) = TaskText.Parse("  Fix the beak ", " uberpop-42 ", " It squeaks. ");
        Assert.Equal(new TaskText("Fix the beak", "UBERPOP-42", "It squeaks."), text);
        Assert.Null(TaskText.Parse("Fix", "   ", null).Text!.JiraId);
        Assert.True(TaskText.Parse("Fix", "UBERPOP 42", null).Errors.ContainsKey("jira_id"));
        Assert.True(TaskText.Parse("Fix", "42-UBERPOP", null).Errors.ContainsKey("jira_id"));
        Assert.True(TaskText.Parse("", null, null).Errors.ContainsKey("title"));
        Assert.True(TaskText.Parse(new string('a', TaskText.MaxTitle + 1), null, null).Errors.ContainsKey("title"));
        Assert.NotNull(TaskText.Parse(new string('a', TaskText.MaxTitle), null, null).Text);
    }

    [Fact]
    public void Only_the_assignee_completes_an_open_task_and_only_once()
    {
        var kesha = Guid.NewGuid();
        var task = PopugTask.Create(Guid.NewGuid(), new TaskText("Fix", null, ""), kesha, Guid.NewGuid(), Now);
        Assert.Equal(CompletionRefusal.NotTheAssignee, task.Complete(Guid.NewGuid(), Now));
        Assert.True(task.IsOpen);
        Assert.Null(task.Complete(kesha, Now.AddHours(1)));
        Assert.Equal((TaskState.Done, Now.AddHours(1)), (task.State, task.CompletedAt));
        Assert.Equal(CompletionRefusal.AlreadyDone, task.Complete(kesha, Now.AddHours(2)));
        Assert.Throws<InvalidOperationException>(() => task.AssignTo(Guid.NewGuid()));
    }

    [Fact]
    public void An_edit_makes_a_new_version_only_when_the_text_changes()
    {
        var task = PopugTask.Create(Guid.NewGuid(), new TaskText("Fix", null, ""), Guid.NewGuid(), Guid.NewGuid(), Now);
        Assert.False(task.Edit(new TaskText("Fix", null, "")));
        Assert.Equal(1, task.EntityVersion);
        Assert.True(task.Edit(new TaskText("Fix", "UBERPOP-1", "")));
        Assert.Equal(2, task.EntityVersion);
    }

    [Theory]
    [InlineData(UserRole.Worker, UserStatus.Active, true)]
    [InlineData(UserRole.Accountant, UserStatus.Active, true)]
    [InlineData(UserRole.Manager, UserStatus.Active, false)]
    [InlineData(UserRole.Admin, UserStatus.Active, false)]
    [InlineData(UserRole.Worker, UserStatus.Deactivated, false)]
    public void Eligible_means_active_and_neither_admin_nor_manager(UserRole role, UserStatus status, bool eligible)
    {
        var user = new KnownUser { Id = Guid.NewGuid(), Role = role, Status = status, EntityVersion = 1 };
        Assert.Equal(eligible, user.CanBeAssigned);
        Assert.False(KnownUser.Placeholder(Guid.NewGuid()).CanBeAssigned);
    }

    [Fact]
    public void The_open_day_follows_the_last_close()
    {
        var today = new DateOnly(2026, 3, 10);
        Assert.Equal(new DateOnly(2026, 3, 6), TaskDays.OpenDay(new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 1), today));
        Assert.Equal(new DateOnly(2026, 3, 1), TaskDays.OpenDay(null, new DateOnly(2026, 3, 1), today));
        Assert.Equal(today, TaskDays.OpenDay(null, null, today));
    }
}
