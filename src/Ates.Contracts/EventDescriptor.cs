namespace Ates.Contracts;

/// <summary>One event version: who produces it, its record and its schema.</summary>
/// <param name="Producer">The producing service's folder, e.g. <c>tasks</c>.</param>
/// <param name="Type">The event name, e.g. <c>task.created</c> (the CloudEvents <c>type</c>).</param>
/// <param name="Version">The event version (the CloudEvents <c>eventversion</c>).</param>
/// <param name="RecordType">The C# record of this version.</param>
/// <param name="SchemaPath">The schema's path in the registry, e.g. <c>schemas/tasks/task.created/2.json</c>
/// (the CloudEvents <c>dataschema</c>).</param>
public sealed record EventDescriptor(string Producer, string Type, int Version, Type RecordType, string SchemaPath)
{
    internal static string PathOf(string producer, string type, int version) => $"schemas/{producer}/{type}/{version}.json";
}
