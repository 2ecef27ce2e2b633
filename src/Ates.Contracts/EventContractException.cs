namespace Ates.Contracts;

/// <summary>An event could not be read: unknown type or version, or data that breaks its schema.</summary>
public sealed class EventContractException : Exception
{
    public EventContractException(string type, int version, IReadOnlyList<string> errors, Exception? inner = null)
        : base($"{type} v{version} cannot be read: {string.Join("; ", errors)}", inner)
    {
        Type = type;
        Version = version;
        Errors = errors;
    }

    public string Type { get; }

    public int Version { get; }

    /// <summary>The same readable sentences as <see cref="SchemaCheck.Errors"/>.</summary>
    public IReadOnlyList<string> Errors { get; }
}
