using Ates.Accounting.TestHost;
using Ates.Contracts;
using Ates.Messaging.Envelope;

namespace Ates.Accounting.Tests;

/// <summary>
/// Two working days at UberPopug Inc. with known prices, and what they must come to, worked out by hand.
/// Day 1: fees 10+15+20+12+15+20 = 92, rewards 20+40 = 60 → earnings 32; W3 ends at +25 and is paid; W1 −10,
/// W2 −35 and the accountant −12 carry over. Day 2: fees 18, rewards 30+35 = 65 → earnings −47; W1 (−10 −18 +35 = 7)
/// is paid 7; W2 ends at −5.
/// </summary>
public sealed class ScriptedDay
{
    public static readonly Guid W1 = Guid.Parse("10000000-0000-0000-0000-000000000001");
    public static readonly Guid W2 = Guid.Parse("10000000-0000-0000-0000-000000000002");
    public static readonly Guid W3 = Guid.Parse("10000000-0000-0000-0000-000000000003");
    public static readonly Guid Accountant = Guid.Parse("10000000-0000-0000-0000-0000000000ac");
    public static readonly Guid Admin = Guid.Parse("10000000-0000-0000-0000-0000000000ad");
    public static readonly Guid Manager = Guid.Parse("10000000-0000-0000-0000-0000000000aa");
    public static readonly Guid T1 = Guid.Parse("20000000-0000-0000-0000-000000000001");
    public static readonly Guid T2 = Guid.Parse("20000000-0000-0000-0000-000000000002");
    public static readonly Guid T3 = Guid.Parse("20000000-0000-0000-0000-000000000003");
    public static readonly Guid T4 = Guid.Parse("20000000-0000-0000-0000-000000000004");
    public static readonly Guid T5 = Guid.Parse("20000000-0000-0000-0000-000000000005");

    public static readonly DateOnly Day1 = AccountingApp.Day1;
    public static readonly DateOnly Day2 = Day1.AddDays(1);

    public EventScript Script { get; } = new(AccountingApp.Start);
    public List<EventEnvelope> Users { get; } = [];
    public List<EventEnvelope> Day1Tasks { get; } = [];
    public EventEnvelope Day1Marker { get; }
    public List<EventEnvelope> Day2Tasks { get; } = [];
    public EventEnvelope Day2Marker { get; }

    /// <summary>The completion of T2 by W3: the last task event of day 1, the one a late-events test holds back.</summary>
    public EventEnvelope T2Completed { get; }

    public ScriptedDay()
    {
        var s = Script;
        Users.AddRange([
            s.User(W1, "Worker One", UserRole.Worker), s.User(W2, "Worker Two", UserRole.Worker), s.User(W3, "Worker Three", UserRole.Worker),
            s.User(Accountant, "Alice Accountant", UserRole.Accountant), s.User(Admin, "Ada Admin", UserRole.Admin),
            s.User(Manager, "Max Manager", UserRole.Manager),
        ]);
        Day1Tasks.AddRange([
            s.Created(T1, "Fix the beak", 10, 20, "UBERPOP-1"), s.Assigned(T1, W1),
            s.Created(T2, "Feed the chicks", 15, 40), s.Assigned(T2, W2),
            s.Created(T3, "Count the seeds", 20, 30), s.Assigned(T3, W1),
            s.Created(T4, "Balance the books", 12, 25), s.Assigned(T4, Accountant),
            s.Completed(T1, W1),
            s.Assigned(T2, W3, previous: W2), s.Assigned(T3, W2, previous: W1),
            s.Updated(T4, "Balance the books twice", 2, "UBERPOP-4"),
            T2Completed = s.Completed(T2, W3),
        ]);
        Day1Marker = s.CloseDay(Day1);
        Day2Tasks.AddRange([
            s.Completed(T3, W2),
            s.Created(T5, "Polish the feathers", 18, 35), s.Assigned(T5, W1), s.Completed(T5, W1),
        ]);
        Day2Marker = s.CloseDay(Day2);
    }

    public IEnumerable<EventEnvelope> InOrder => [.. Users, .. Day1Tasks, Day1Marker, .. Day2Tasks, Day2Marker];
}
