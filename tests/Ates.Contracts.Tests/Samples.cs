using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ates.Contracts.Tests;

/// <summary>One realistic sample per event record, and helpers to turn them into (broken) JSON.</summary>
public static class Samples
{
    public static readonly Guid Kesha = Guid.Parse("7b0e2a9c-4f1d-4a3e-9c55-1d2f3a4b5c6d");
    public static readonly Guid Gosha = Guid.Parse("c3d9e8f1-2a4b-4c6d-8e0f-1a2b3c4d5e6f");
    public static readonly Guid TaskId = Guid.Parse("0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90");
    public static readonly Guid TransactionId = Guid.Parse("e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b");
    public static readonly DateOnly Day = new(2026, 3, 3);

    public static readonly IReadOnlyDictionary<string, object> ByName = new object[]
    {
        new UserCreated(Kesha, "Kesha Popugaev", "kesha@uberpopug.example", UserRole.Worker, UserStatus.Active, EntityVersion: 1),
        new UserUpdated(Kesha, "Kesha Popugaev", "kesha@uberpopug.example", UserRole.Accountant, UserStatus.Deactivated, EntityVersion: 4),
        new TaskCreatedV1(TaskId, "[UBERPOP-42] - Fix the beak", "The beak squeaks when it opens."),
        new TaskCreated(TaskId, "Fix the beak", "UBERPOP-42", "The beak squeaks when it opens.", EntityVersion: 1),
        new TaskUpdated(TaskId, "Fix the beak and the tail", JiraId: null, "", EntityVersion: 3),
        new TaskAssignedV1(TaskId, AssigneeId: Gosha, PreviousAssigneeId: Kesha, AssignmentReason.AssigneeLeft),
        new TaskAssigned(TaskId, AssigneeId: Gosha, PreviousAssigneeId: Kesha, AssignmentReason.AssigneeLeft, BillingDay: Day),
        new TaskCompletedV1(TaskId, Gosha, new DateTimeOffset(2026, 3, 3, 19, 20, 5, TimeSpan.FromHours(3))),
        new TaskCompleted(TaskId, Gosha, new DateTimeOffset(2026, 3, 3, 19, 20, 5, TimeSpan.FromHours(3)), BillingDay: Day),
        new TasksDayClosed(Day, LastSequence: 1042, PreviousSequence: 980, TaskEvents: 61),
        new TransactionApplied(TransactionId, Kesha, TransactionKind.AssignFee, -17m, TaskId, Day),
        new BillingCycleClosed(Day, ManagementEarnings: -25.50m, PayoutsTotal: 38m, AccountsInNegative: 1,
        [
            new BillingCycleClosed.AccountCycle(Kesha, Opening: 0m, Earned: 38m, Paid: 38m, Closing: 0m),
            new BillingCycleClosed.AccountCycle(Gosha, Opening: -5m, Earned: -12.50m, Paid: 0m, Closing: -17.50m),
        ]),
    }.ToDictionary(sample => sample.GetType().Name);

    public static TheoryData<string> Names => new(ByName.Keys);

    public static EventRegistry Registry => EventRegistry.Default;

    /// <summary>The sample's data JSON with a change applied, for testing what the schema refuses.</summary>
    public static string Json<T>(Action<JsonObject>? change = null) where T : class
    {
        var node = JsonNode.Parse(Registry.Serialize(ByName[typeof(T).Name]))!.AsObject();
        change?.Invoke(node);
        return node.ToJsonString();
    }

    public static string Serialize(object value) => JsonSerializer.Serialize(value, Registry.JsonOptions);
}
