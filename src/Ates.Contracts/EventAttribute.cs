namespace Ates.Contracts;

/// <summary>
/// Marks a record as the data of one event version. The schema that record must satisfy is
/// <c>schemas/{producer}/{type}/{version}.json</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class EventAttribute(string producer, string type, int version) : Attribute
{
    /// <summary>The producing service's folder in the registry: <c>auth</c>, <c>tasks</c>, <c>accounting</c>.</summary>
    public string Producer { get; } = producer;

    /// <summary>The event name, e.g. <c>task.created</c>.</summary>
    public string Type { get; } = type;

    /// <summary>The event version, 1 and up.</summary>
    public int Version { get; } = version;
}
