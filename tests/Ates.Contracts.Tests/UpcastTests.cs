using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

/// <summary>Consumers get the newest record of an event whichever version was published.</summary>
public class UpcastTests
{
    [Theory]
    [InlineData("[UBERPOP-42] - Fix the beak", "UBERPOP-42", "Fix the beak")]
    [InlineData("[UBERPOP-42] Fix the beak", "UBERPOP-42", "Fix the beak")]
    [InlineData("[UBERPOP-42]: Fix the beak", "UBERPOP-42", "Fix the beak")]
    [InlineData("[ UBERPOP-42 ] — Fix the beak", "UBERPOP-42", "Fix the beak")]
    [InlineData("[uberpop-42] - Fix the beak", "UBERPOP-42", "Fix the beak")]
    [InlineData("Fix the beak - [UBERPOP-42]", "UBERPOP-42", "Fix the beak")]
    [InlineData("[UBERPOP-42] - Fix [urgent] the beak", "UBERPOP-42", "Fix urgent the beak")]
    [InlineData("[UBERPOP-42]", "UBERPOP-42", "UBERPOP-42")]
    [InlineData("Fix the beak", null, "Fix the beak")]
    [InlineData("[WIP] Fix the [left] beak", null, "WIP Fix the left beak")]
    [InlineData("UBERPOP-42 - Fix the beak", null, "UBERPOP-42 - Fix the beak")]
    [InlineData("[]", null, "untitled")]
    public void A_v1_title_is_read_as_jira_id_and_title(string v1Title, string? jiraId, string title)
    {
        var json = Registry.Serialize(new TaskCreatedV1(TaskId, v1Title, "The beak squeaks."));

        var read = Registry.Read("task.created", 1, json);

        Assert.Equal(new TaskCreated(TaskId, title, jiraId, "The beak squeaks.", EntityVersion: 1), read);
        var check = Registry.Validate("task.created", 2, Registry.Serialize(read));
        Assert.True(check.IsValid, check.ToString());
    }

    [Fact]
    public void Both_versions_come_back_as_the_same_record()
    {
        var fromV1 = Registry.Read("task.created", 1, Json<TaskCreatedV1>());
        var fromV2 = Registry.Read("task.created", 2, Json<TaskCreated>());

        Assert.Equal(fromV2, fromV1);
        Assert.Equal(Registry.LatestRecordType("task.created"), fromV1.GetType());
    }

    [Fact]
    public void A_v1_assignment_or_completion_is_read_with_no_billing_day()
    {
        var assigned = Assert.IsType<TaskAssigned>(Registry.Read("task.assigned", 1, Json<TaskAssignedV1>()));
        Assert.Equal(ByName[nameof(TaskAssigned)], assigned with { BillingDay = Day });
        Assert.Null(assigned.BillingDay);
        var completed = Assert.IsType<TaskCompleted>(Registry.Read("task.completed", 1, Json<TaskCompletedV1>()));
        Assert.Equal(ByName[nameof(TaskCompleted)], completed with { BillingDay = Day });
        Assert.Null(completed.BillingDay);
    }

    [Fact]
    public void A_v2_assignment_or_completion_must_name_its_billing_day()
    {
        Assert.False(Registry.Validate("task.assigned", 2, Json<TaskAssigned>(o => o.Remove("billing_day"))).IsValid);
        Assert.False(Registry.Validate("task.completed", 2, Json<TaskCompleted>(o => o["billing_day"] = "2026-03-03T00:00:00Z")).IsValid);
    }
}
