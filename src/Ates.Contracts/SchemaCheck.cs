namespace Ates.Contracts;

/// <summary>The result of validating JSON against a schema: valid, or the reasons it is not.</summary>
public sealed class SchemaCheck
{
    public static readonly SchemaCheck Valid = new([]);

    public SchemaCheck(IReadOnlyList<string> errors) => Errors = errors;

    public bool IsValid => Errors.Count == 0;

    /// <summary>One readable sentence per problem, each naming the field, e.g. <c>title: must not be empty</c>.</summary>
    public IReadOnlyList<string> Errors { get; }

    internal static SchemaCheck Invalid(string error) => new([error]);

    /// <summary>"valid", or the errors joined by "; " (fit for a dead letter's reason).</summary>
    public override string ToString() => IsValid ? "valid" : string.Join("; ", Errors);
}
