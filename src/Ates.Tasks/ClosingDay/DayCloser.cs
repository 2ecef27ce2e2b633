using Ates.ServiceDefaults.Hosting;
using Ates.Contracts;
using Ates.Messaging.Outbox;
using Ates.Tasks.Data;
using Ates.Tasks.Domain;
using Microsoft.EntityFrameworkCore;

namespace Ates.Tasks.ClosingDay;

/// <summary>
/// Closes task days and writes the <c>tasks.day_closed</c> marker Accounting waits for. Runs under the task log lock,
/// so the set of the day's task events cannot change while it is counted; a day is closed once, whoever asks.
/// </summary>
public sealed class DayCloser(TasksDb db, IOutbox outbox, TimeProvider time, BillingCalendar days, ILogger<DayCloser> log)
{
    static readonly string MarkerType = EventRegistry.Default.Describe(typeof(TasksDayClosed)).Type;

    /// <summary>Closes every open day that has ended by now (catching up after downtime), each at its midnight.</summary>
    public async Task<IReadOnlyList<ClosedDay>> CloseEndedDaysAsync(CancellationToken ct)
    {
        var closed = new List<ClosedDay>();
        while (true)
        {
            var open = await OpenDayAsync(ct);
            var end = days.EndOf(open);
            if (time.GetUtcNow() < end) return closed;
            if (await CloseAsync(open, end, "schedule", ct) is not { } day) return closed;
            closed.Add(day);
        }
    }

    /// <summary>
    /// Closes <paramref name="day"/> now, with every task event of it written so far (an admin's or accountant's
    /// request), if it is still the open day; null when it is not (a repeated click, a client's retry or a concurrent
    /// close), which changes nothing. Its events are those written before its end, as every task event's billing day
    /// says (TaskLog.BillingDayAsync): if the day has already ended and the schedule has not closed it yet, the events
    /// since midnight stay in the next.
    /// </summary>
    public Task<ClosedDay?> CloseOpenDayNowAsync(DateOnly day, Guid requestedBy, CancellationToken ct) =>
        CloseAsync(day, days.EndOf(day), $"by hand: {requestedBy}", ct);

    public async Task<DateOnly> OpenDayAsync(CancellationToken ct)
    {
        var lastClosed = await db.ClosedDays.MaxAsync(d => (DateOnly?)d.Day, ct);
        DateOnly? firstEventDay = null;
        if (lastClosed is null)
        {
            var first = await TaskEvents().MinAsync(m => (DateTime?)m.OccurredAt, ct);
            if (first is { } at) firstEventDay = days.DayOf(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));
        }
        return TaskDays.OpenDay(lastClosed, firstEventDay, days.DayOf(time.GetUtcNow()));
    }

    /// <summary>
    /// Closes <paramref name="day"/> if it is still the open day: its task events are those after the previous close
    /// that occurred before <paramref name="cutoff"/>, its end. Null when someone closed it first.
    /// </summary>
    async Task<ClosedDay?> CloseAsync(DateOnly day, DateTimeOffset cutoff, string trigger, CancellationToken ct)
    {
        await using var transaction = await db.BeginTaskWriteAsync(ct);
        if (await OpenDayAsync(ct) != day) return null;

        var previous = await db.ClosedDays.MaxAsync(d => (long?)d.LastSequence, ct) ?? 0;
        var after = TaskEvents().Where(m => m.Sequence > previous);
        var end = cutoff.UtcDateTime;
        var last = await after.Where(m => m.OccurredAt < end).MaxAsync(m => (long?)m.Sequence, ct) ?? previous;
        var count = await after.LongCountAsync(m => m.Sequence <= last, ct);

        var closed = new ClosedDay
        {
            Day = day, PreviousSequence = previous, LastSequence = last, TaskEvents = count,
            ClosedAt = time.GetUtcNow(), Trigger = trigger,
        };
        db.ClosedDays.Add(closed);
        outbox.Add(new TasksDayClosed(day, last, previous, count), $"day:{day:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        // Once a day the outbox has grown by a day: the planner's statistics follow it.
        await db.RefreshPlannerStatisticsAsync(log, ct);
        return closed;
    }

    IQueryable<OutboxMessage> TaskEvents() => db.Set<OutboxMessage>().Where(m => m.Type != MarkerType);
}
