using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

public class InvalidPayloadTests
{
    static IReadOnlyList<string> Refused(string type, int version, string json)
    {
        var check = Registry.Validate(type, version, json);
        Assert.False(check.IsValid, $"{type} v{version} accepted {json}");
        return check.Errors;
    }

    [Fact]
    public void A_missing_field_is_named()
    {
        var errors = Refused("task.created", 2, Json<TaskCreated>(o => o.Remove("description")));

        Assert.Equal(["description: is required but missing"], errors);
    }

    [Fact]
    public void A_wrong_type_is_named_with_the_value_given()
    {
        Assert.Equal(
            ["entity_version: must be a whole number, got \"3\""],
            Refused("user.created", 1, Json<UserCreated>(o => o["entity_version"] = "3")));
        Assert.Equal(
            ["entity_version: must be a whole number, got 1.5"],
            Refused("user.created", 1, Json<UserCreated>(o => o["entity_version"] = 1.5)));
        Assert.Equal(
            ["task_id: must be a string, got 42"],
            Refused("task.completed", 2, Json<TaskCompleted>(o => o["task_id"] = 42)));
        Assert.Equal(
            ["title: must be a string, got null"],
            Refused("task.created", 2, Json<TaskCreated>(o => o["title"] = null)));
    }

    [Fact]
    public void An_unknown_enum_value_lists_the_allowed_ones()
    {
        Assert.Equal(
            ["role: must be one of admin, manager, accountant, worker, got \"boss\""],
            Refused("user.created", 1, Json<UserCreated>(o => o["role"] = "boss")));
        Assert.Equal(
            ["reason: must be one of created, shuffle, assignee_left, got \"AssigneeLeft\""],
            Refused("task.assigned", 2, Json<TaskAssigned>(o => o["reason"] = "AssigneeLeft")));
    }

    [Theory]
    [InlineData("task.created", 2, "[UBERPOP-42] Fix the beak")]
    [InlineData("task.created", 2, "Fix the beak]")]
    [InlineData("task.updated", 1, "Fix [the] beak")]
    public void Brackets_in_a_title_point_to_jira_id(string type, int version, string title)
    {
        var json = type == "task.created" ? Json<TaskCreated>(o => o["title"] = title) : Json<TaskUpdated>(o => o["title"] = title);

        Assert.Equal(["title: must not contain '[' or ']' — put the jira id in jira_id"], Refused(type, version, json));
    }

    [Fact]
    public void Brackets_are_fine_in_a_v1_title()
    {
        Assert.True(Registry.Validate("task.created", 1, Json<TaskCreatedV1>()).IsValid);
    }

    [Fact]
    public void Jira_id_is_a_jira_id_or_null()
    {
        Assert.True(Registry.Validate("task.created", 2, Json<TaskCreated>(o => o["jira_id"] = null)).IsValid);
        Assert.Equal(
            ["jira_id: must be a jira id like UBERPOP-42 (capital letters, a dash, digits), or null"],
            Refused("task.created", 2, Json<TaskCreated>(o => o["jira_id"] = "[UBERPOP-42]")));
        Assert.Equal(
            ["jira_id: must be a string or null, got 42"],
            Refused("task.created", 2, Json<TaskCreated>(o => o["jira_id"] = 42)));
    }

    [Fact]
    public void An_extra_property_is_named_with_the_event()
    {
        Assert.Equal(
            ["priority: is not a field of task.created v2"],
            Refused("task.created", 2, Json<TaskCreated>(o => o["priority"] = "high")));
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var errors = Refused("task.created", 2, Json<TaskCreated>(o =>
        {
            o.Remove("task_id");
            o["title"] = "";
            o["priority"] = "high";
        }));

        Assert.Equal(3, errors.Count);
        Assert.Contains("task_id: is required but missing", errors);
        Assert.Contains("title: must not be empty", errors);
        Assert.Contains("priority: is not a field of task.created v2", errors);
    }

    [Theory]
    [InlineData("{\"task_id\": ")]
    [InlineData("{'task_id': '0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90'}")]
    [InlineData("{\"title\": \"a\",}")]
    [InlineData("{} {}")]
    [InlineData("not json")]
    public void Malformed_json_is_refused_not_thrown(string json)
    {
        var error = Assert.Single(Refused("task.created", 2, json));

        Assert.StartsWith("data: is not valid JSON: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_data_and_duplicate_fields_are_refused()
    {
        Assert.Equal(["data: is empty, expected a JSON object"], Refused("task.created", 2, ""));
        var duplicate = Json<TaskCreated>().Replace("\"description\":", "\"title\":\"Fix it\",\"description\":", StringComparison.Ordinal);
        Assert.StartsWith("data: is not valid JSON: ", Assert.Single(Refused("task.created", 2, duplicate)), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_is_not_an_object_is_refused()
    {
        Assert.Equal(["data: must be a JSON object, got an array"], Refused("task.created", 2, "[]"));
    }

    [Fact]
    public void An_unknown_type_or_version_is_refused_not_thrown()
    {
        Assert.Equal(
            ["unknown event task.exploded v1: the registry has no event named task.exploded"],
            Refused("task.exploded", 1, "{}"));
        Assert.Equal(
            ["unknown event task.created v3: the registry has task.created version 1, 2 only"],
            Refused("task.created", 3, Json<TaskCreated>()));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("{0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90}")]
    [InlineData("0b9e6c2e4b1d4c559d7e2f1c3a5b7d90")]
    public void Ids_must_be_uuids(string id)
    {
        Assert.Equal(
            [$"task_id: must be a UUID like 0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90, got \"{id}\""],
            Refused("task.completed", 2, Json<TaskCompleted>(o => o["task_id"] = id)));
    }

    [Theory]
    [InlineData("2026-03-03T16:20:00")]
    [InlineData("2026-03-03")]
    [InlineData("2026")]
    [InlineData("2026-02-30T16:20:00Z")]
    public void Times_must_be_rfc3339_with_an_offset(string time)
    {
        Assert.Equal(
            [$"completed_at: must be a date and time with an offset (RFC 3339) like 2026-03-03T16:20:00+00:00, got \"{time}\""],
            Refused("task.completed", 2, Json<TaskCompleted>(o => o["completed_at"] = time)));
    }

    [Theory]
    [InlineData("03/03/2026")]
    [InlineData("2026-3-3")]
    [InlineData("2026-02-30")]
    [InlineData("2026-03-03T00:00:00Z")]
    public void Days_must_be_calendar_dates(string day)
    {
        Assert.Equal(
            [$"day: must be a date like 2026-03-03, got \"{day}\""],
            Refused("tasks.day_closed", 1, Json<TasksDayClosed>(o => o["day"] = day)));
    }

    [Fact]
    public void Names_emails_and_versions_are_checked()
    {
        Assert.Equal(["name: must not be empty"], Refused("user.created", 1, Json<UserCreated>(o => o["name"] = "")));
        Assert.Equal(
            ["email: must be an email address, got \"kesha at uberpopug\""],
            Refused("user.created", 1, Json<UserCreated>(o => o["email"] = "kesha at uberpopug")));
        Assert.Equal(
            ["entity_version: must be at least 1, got 0"],
            Refused("user.updated", 1, Json<UserUpdated>(o => o["entity_version"] = 0)));
        Assert.Equal(
            ["last_sequence: must be at least 0, got -1"],
            Refused("tasks.day_closed", 1, Json<TasksDayClosed>(o => o["last_sequence"] = -1)));
    }

    [Fact]
    public void Nested_errors_carry_the_full_path()
    {
        Assert.Equal(
            ["accounts[1].paid: must be a number, got \"0\""],
            Refused("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["accounts"]![1]!["paid"] = "0")));
        Assert.Equal(
            ["accounts[0].bonus: is not a field of account cycle"],
            Refused("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["accounts"]![0]!.AsObject()["bonus"] = 1)));
        Assert.Equal(
            ["accounts[0].closing: is required but missing"],
            Refused("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["accounts"]![0]!.AsObject().Remove("closing"))));
    }

    [Fact]
    public void A_first_assignment_has_no_previous_assignee_and_a_reassignment_has_one()
    {
        const string Rule = "data: previous_assignee_id must be null when reason is created, and a user id when reason is shuffle or assignee_left";
        Assert.True(Registry.Validate("task.assigned", 2, Json<TaskAssigned>(o =>
        {
            o["reason"] = "created";
            o["previous_assignee_id"] = null;
        })).IsValid);
        Assert.Equal([Rule], Refused("task.assigned", 2, Json<TaskAssigned>(o => o["reason"] = "created")));
        Assert.Equal([Rule], Refused("task.assigned", 2, Json<TaskAssigned>(o => o["previous_assignee_id"] = null)));
    }

    [Fact]
    public void Read_throws_a_contract_exception_that_says_why()
    {
        var e = Assert.Throws<EventContractException>(() =>
            Registry.Read("task.created", 2, Json<TaskCreated>(o => o["title"] = "[UBERPOP-42] Fix the beak")));

        Assert.Equal("task.created", e.Type);
        Assert.Equal(2, e.Version);
        Assert.Equal(["title: must not contain '[' or ']' — put the jira id in jira_id"], e.Errors);
        Assert.Equal("task.created v2 cannot be read: title: must not contain '[' or ']' — put the jira id in jira_id", e.Message);
    }

    [Fact]
    public void Read_throws_for_unknown_events_and_malformed_json()
    {
        var unknown = Assert.Throws<EventContractException>(() => Registry.Read("task.exploded", 1, "{}"));
        Assert.Equal(["unknown event task.exploded v1: the registry has no event named task.exploded"], unknown.Errors);

        var malformed = Assert.Throws<EventContractException>(() => Registry.Read("task.created", 2, "{\"task_id\":"));
        Assert.StartsWith("data: is not valid JSON: ", Assert.Single(malformed.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_too_large_for_the_record_are_refused()
    {
        const string TooLarge = """{"day":"2026-03-03","last_sequence":99999999999999999999999999999999}""";
        Assert.Equal(
            ["last_sequence: the number 99999999999999999999999999999999 is too large"],
            Refused("tasks.day_closed", 1, TooLarge));

        // A valid JSON Schema integer that does not fit the record's int: System.Text.Json refuses it.
        var e = Assert.Throws<EventContractException>(() =>
            Registry.Read("billing.cycle_closed", 1, Json<BillingCycleClosed>(o => o["accounts_in_negative"] = 3_000_000_000L)));
        Assert.StartsWith("data: cannot be read as BillingCycleClosed: ", Assert.Single(e.Errors), StringComparison.Ordinal);
    }
}

public class RecentlyValidTests
{
    // Deserializable, but the schema refuses it: only a skipped validation lets it through.
    static readonly string Bracketed = Json<TaskCreated>(o => o["title"] = "[UBERPOP-42] Fix the beak");

    [Fact]
    public void Read_skips_the_schema_only_for_the_very_characters_remembered_with_that_event_id()
    {
        var id = Guid.CreateVersion7();
        Registry.RememberValid(id, "task.created", 2, Bracketed);

        Assert.IsType<TaskCreated>(Registry.Read("task.created", 2, Bracketed, id));
        // Another event id, other characters, another version: validated as usual.
        Assert.Throws<EventContractException>(() => Registry.Read("task.created", 2, Bracketed, Guid.CreateVersion7()));
        Assert.Throws<EventContractException>(() => Registry.Read("task.created", 2, Bracketed.Replace("Fix", "Mend"), id));
        Assert.Throws<EventContractException>(() => Registry.Read("task.created", 2, Bracketed));
    }

    [Fact]
    public void The_oldest_is_forgotten_beyond_the_capacity()
    {
        var recent = new Validation.RecentlyValid(2);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        recent.Remember(a, "t", 1, "{}");
        recent.Remember(b, "t", 1, "{}");
        Assert.True(recent.Holds(a, "t", 1, "{}"));
        recent.Remember(c, "t", 1, "{}");

        Assert.Equal((false, true, true), (recent.Holds(a, "t", 1, "{}"), recent.Holds(b, "t", 1, "{}"), recent.Holds(c, "t", 1, "{}")));
        Assert.False(recent.Holds(b, "t", 2, "{}"));
    }
}
