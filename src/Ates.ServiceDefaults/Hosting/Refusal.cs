using Microsoft.AspNetCore.Http;

namespace Ates.ServiceDefaults.Hosting;

/// <summary>Why a command was refused (nothing was saved); an endpoint turns it into an RFC 9457 problem, a page into a message.</summary>
public sealed record Refusal(int Status, string Title, string? Detail = null, IDictionary<string, string[]>? Errors = null)
{
    public static Refusal Invalid(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid", string.Join(" ", errors.Values.SelectMany(e => e)), errors);

    public static Refusal NotFound(string title, string detail) => new(StatusCodes.Status404NotFound, title, detail);

    public IResult ToProblem() => Errors is { } errors
        ? TypedResults.ValidationProblem(errors, Detail, title: Title)
        : TypedResults.Problem(Detail, statusCode: Status, title: Title);
}

/// <summary>A command's outcome: what it saved, or why it saved nothing.</summary>
public readonly record struct Outcome<T>(T? Value, Refusal? Refusal) where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Refusal refusal) => new(null, refusal);
}
