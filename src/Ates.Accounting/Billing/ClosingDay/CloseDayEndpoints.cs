using Ates.Accounting.Accounts;
using Ates.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ates.Accounting.Billing.ClosingDay;

/// <summary>
/// The day to close: the open day, as the caller saw it (the confirmation that they mean this one); the reason is
/// needed when the day waits for task events.
/// </summary>
public sealed record CloseDayRequest(DateOnly? Day, string? Reason = null);

public sealed record CloseDayResponse(DateOnly Day, decimal ManagementEarnings, decimal PayoutsTotal, int AccountsInNegative,
    IReadOnlyList<BillingCycleClosed.AccountCycle> Accounts, DateOnly OpenDay);

public sealed class CloseDayForm
{
    public string? Day { get; set; }
    public string? Confirm { get; set; }
    public string? Reason { get; set; }
}

/// <summary>"Close the day now": POST /api/days/close (JSON) and the dashboard's form.</summary>
public static class CloseDayEndpoints
{
    public static void MapCloseDay(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/days/close", async Task<Results<Ok<CloseDayResponse>, ProblemHttpResult>> (CloseDayRequest? request, CloseDayCommand command, CancellationToken ct) =>
            {
                if (request?.Day is not { } day)
                    return TypedResults.Problem(statusCode: 400, title: "Which day?", detail: "Send {\"day\": \"yyyy-MM-dd\"}: the open day you mean to close.");
                if (CloseDayCommand.ReasonProblem(request.Reason) is { } tooLong)
                    return TypedResults.Problem(statusCode: 400, title: "The reason is too long", detail: tooLong);
                var outcome = await command.CloseAsync(day, request.Reason, ct);
                if (outcome.NeedsReason is { } waiting)
                    return TypedResults.Problem(statusCode: 400, title: "A reason is needed", detail: CloseDayCommand.NeedsReasonText(waiting));
                if (outcome.Closed is not { } closed)
                    return TypedResults.Problem(statusCode: 409, title: "Not the open day",
                        detail: $"{day:yyyy-MM-dd} is not the open day; the open day is {outcome.OpenDay:yyyy-MM-dd}. Nothing was closed.");
                return TypedResults.Ok(new CloseDayResponse(closed.Day, closed.ManagementEarnings, closed.PayoutsTotal, closed.AccountsInNegative, closed.Accounts, outcome.OpenDay));
            })
            .RequireAuthorization(AccountingPolicies.Management)
            .WithTags("Accounting")
            .WithSummary("Close the open day now: pay out positive balances, carry negatives over, open the next day (admins, accountants)")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);

        app.MapGet("/api/days/waiting", async (BillingDayCloser closer, CancellationToken ct) => TypedResults.Ok(new { Waiting = await closer.WaitingAsync(ct) }))
            .RequireAuthorization(AccountingPolicies.Management)
            .WithTags("Accounting")
            .WithSummary("The open day, if its marker has come but not all of its task events are processed: how many, and the dead letters among them");

        app.MapPost("/days/close", async ([FromForm] CloseDayForm form, HttpContext http, CloseDayCommand command, CancellationToken ct) =>
            {
                var back = $"{http.Request.PathBase}/";
                if (form.Confirm != "yes" || !DateOnly.TryParseExact(form.Day, "yyyy-MM-dd", out var day))
                    return Results.Redirect($"{back}?error={Uri.EscapeDataString("Tick the confirmation to close the day.")}");
                if (CloseDayCommand.ReasonProblem(form.Reason) is { } tooLong)
                    return Results.Redirect($"{back}?error={Uri.EscapeDataString(tooLong)}");
                var outcome = await command.CloseAsync(day, form.Reason, ct);
                if (outcome.NeedsReason is { } waiting)
                    return Results.Redirect($"{back}?error={Uri.EscapeDataString(CloseDayCommand.NeedsReasonText(waiting))}");
                return outcome.Closed is { } closed
                    ? Results.Redirect($"{back}?notice={Uri.EscapeDataString($"Closed {closed.Day:yyyy-MM-dd}: paid {EmailsMoney(closed.PayoutsTotal)} to {closed.Paid.Count()} popugs.")}")
                    : Results.Redirect($"{back}?error={Uri.EscapeDataString($"{day:yyyy-MM-dd} is already closed; the open day is {outcome.OpenDay:yyyy-MM-dd}.")}");
            })
            .RequireAuthorization(AccountingPolicies.Management)
            .ExcludeFromDescription();
    }

    static string EmailsMoney(decimal amount) => Emails.EmailText.Money(amount);
}
