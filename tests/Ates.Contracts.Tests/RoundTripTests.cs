using System.Text.Json;
using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

public class RoundTripTests
{
    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(Samples))]
    public void Every_record_serialises_to_json_its_schema_accepts_and_reads_back_equal(string name)
    {
        var sample = ByName[name];
        var descriptor = Registry.Describe(sample.GetType());

        var json = Registry.Serialize(sample);
        var check = Registry.Validate(descriptor.Type, descriptor.Version, json);
        Assert.True(check.IsValid, $"{descriptor.SchemaPath} refused {json}: {check}");

        var back = JsonSerializer.Deserialize(json, descriptor.RecordType, Registry.JsonOptions)!;
        Assert.IsType(descriptor.RecordType, back);
        Assert.Equal(json, Registry.Serialize(back));
        if (sample is not BillingCycleClosed)
        {
            Assert.Equal(sample, back);
        }
    }

    [Fact]
    public void Every_record_has_a_sample()
    {
        Assert.Equal(
            Registry.All.Select(d => d.RecordType.Name).Order(),
            ByName.Keys.Order());
    }

    [Fact]
    public void Newest_versions_read_back_as_themselves()
    {
        var json = Registry.Serialize(ByName[nameof(TaskCreated)]);

        var read = Registry.Read("task.created", 2, json);

        Assert.Equal(ByName[nameof(TaskCreated)], read);
    }

    [Fact]
    public void Json_uses_snake_case_names_and_enum_values_and_plain_dates_and_numbers()
    {
        Assert.Equal(
            """{"transaction_id":"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b","account_id":"7b0e2a9c-4f1d-4a3e-9c55-1d2f3a4b5c6d","kind":"assign_fee","amount":-17,"task_id":"0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90","day":"2026-03-03"}""",
            Registry.Serialize(ByName[nameof(TransactionApplied)]));
        Assert.Equal(
            """{"task_id":"0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90","assignee_id":"c3d9e8f1-2a4b-4c6d-8e0f-1a2b3c4d5e6f","previous_assignee_id":"7b0e2a9c-4f1d-4a3e-9c55-1d2f3a4b5c6d","reason":"assignee_left","billing_day":"2026-03-03"}""",
            Registry.Serialize(ByName[nameof(TaskAssigned)]));
        Assert.Equal(
            """{"task_id":"0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90","assignee_id":"c3d9e8f1-2a4b-4c6d-8e0f-1a2b3c4d5e6f","completed_at":"2026-03-03T19:20:05+03:00","billing_day":"2026-03-03"}""",
            Registry.Serialize(ByName[nameof(TaskCompleted)]));
        Assert.Equal(
            """{"day":"2026-03-03","last_sequence":1042,"previous_sequence":980,"task_events":61}""",
            Registry.Serialize(ByName[nameof(TasksDayClosed)]));
        Assert.Equal(
            """{"user_id":"7b0e2a9c-4f1d-4a3e-9c55-1d2f3a4b5c6d","name":"Kesha Popugaev","email":"kesha@uberpopug.example","role":"accountant","status":"deactivated","entity_version":4}""",
            Registry.Serialize(ByName[nameof(UserUpdated)]));
    }

    [Fact]
    public void Nulls_are_written_not_omitted_because_every_field_is_required()
    {
        Assert.Equal(
            """{"task_id":"0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90","title":"Fix the beak and the tail","jira_id":null,"description":"","entity_version":3}""",
            Registry.Serialize(ByName[nameof(TaskUpdated)]));
    }

    [Fact]
    public void Billing_cycle_keeps_every_account_and_the_cents()
    {
        var json = Registry.Serialize(ByName[nameof(BillingCycleClosed)]);

        var read = (BillingCycleClosed)Registry.Read("billing.cycle_closed", 1, json);

        Assert.Equal(-25.50m, read.ManagementEarnings);
        Assert.Equal(2, read.Accounts.Count);
        Assert.Equal(new BillingCycleClosed.AccountCycle(Gosha, -5m, -12.50m, 0m, -17.50m), read.Accounts[1]);
        Assert.Contains("\"closing\":-17.50", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_refuses_an_object_that_is_not_an_event_record()
    {
        var e = Assert.Throws<ArgumentException>(() => Registry.Serialize(new { Title = "x" }));
        Assert.Contains("no [Event] attribute", e.Message, StringComparison.Ordinal);
    }
}
