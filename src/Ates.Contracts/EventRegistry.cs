using System.Collections.Frozen;
using System.Numerics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Ates.Contracts.Validation;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Ates.Contracts;

/// <summary>
/// The event schema registry: every event record with its schema, JSON options, validation, and
/// reading older versions as the newest. Immutable once built, so one instance is shared by all
/// threads: use <see cref="Default"/>.
/// </summary>
public sealed class EventRegistry
{
    /// <summary>The registry path of the CloudEvents envelope schema.</summary>
    public const string EnvelopeSchemaPath = "schemas/cloudevents/envelope/1.json";

    static readonly Lazy<EventRegistry> DefaultRegistry = new(() => new EventRegistry(typeof(EventRegistry).Assembly));

    readonly FrozenDictionary<Type, EventDescriptor> _byRecord;
    readonly FrozenDictionary<(string Type, int Version), EventDescriptor> _byTypeAndVersion;
    readonly FrozenDictionary<(string Type, int Version), JsonSchema> _schemas;
    readonly FrozenDictionary<string, EventDescriptor> _latest;
    readonly JsonSchema _envelopeSchema;
    readonly JsonSchemaValidator _validator = new(StrictFormats.Settings());

    /// <summary>The registry of this assembly's event records and embedded schemas, built on first use.</summary>
    public static EventRegistry Default => DefaultRegistry.Value;

    EventRegistry(Assembly assembly)
    {
        All = assembly.GetTypes()
            .Select(t => (Record: t, Event: t.GetCustomAttribute<EventAttribute>()))
            .Where(x => x.Event is not null)
            .Select(x => new EventDescriptor(x.Event!.Producer, x.Event.Type, x.Event.Version, x.Record,
                EventDescriptor.PathOf(x.Event.Producer, x.Event.Type, x.Event.Version)))
            .OrderBy(d => d.SchemaPath, StringComparer.Ordinal)
            .ToArray();

        var duplicate = All.GroupBy(d => (d.Type, d.Version)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"{duplicate.Key.Type} v{duplicate.Key.Version} has more than one record: {string.Join(", ", duplicate.Select(d => d.RecordType.Name))}");
        }

        _byRecord = All.ToFrozenDictionary(d => d.RecordType);
        _byTypeAndVersion = All.ToFrozenDictionary(d => (d.Type, d.Version));
        _latest = All.GroupBy(d => d.Type).ToFrozenDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!);
        CheckUpcastChains();

        var schemas = LoadSchemas(assembly);
        _envelopeSchema = schemas.TryGetValue(EnvelopeSchemaPath, out var envelope)
            ? envelope
            : throw new InvalidOperationException($"The envelope schema {EnvelopeSchemaPath} is not embedded in {assembly.GetName().Name}.");
        schemas.Remove(EnvelopeSchemaPath);
        SchemaPaths = schemas.Keys.Order(StringComparer.Ordinal).ToArray();
        _schemas = schemas.ToFrozenDictionary(s => TypeAndVersionOf(s.Key), s => s.Value);

        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        JsonOptions = options;
    }

    /// <summary>Every event version that has a record, ordered by schema path.</summary>
    public IReadOnlyList<EventDescriptor> All { get; }

    /// <summary>Every embedded event schema's path (the envelope's excluded), ordered.</summary>
    public IReadOnlyList<string> SchemaPaths { get; }

    /// <summary>
    /// The JSON of event data: snake_case names, enums as snake_case strings, DateOnly as yyyy-MM-dd,
    /// DateTimeOffset as ISO 8601, decimal as a JSON number. Read-only.
    /// </summary>
    public JsonSerializerOptions JsonOptions { get; }

    public EventDescriptor Describe<T>() where T : class => Describe(typeof(T));

    /// <summary>The service that produces events of <paramref name="type"/> (every version has the same producer).</summary>
    /// <exception cref="InvalidOperationException">The registry has no such event.</exception>
    public string ProducerOf(string type) =>
        All.FirstOrDefault(d => d.Type == type)?.Producer ?? throw new InvalidOperationException($"The registry has no event {type}.");

    /// <exception cref="ArgumentException">The type is not an event record of this registry.</exception>
    public EventDescriptor Describe(Type recordType)
    {
        ArgumentNullException.ThrowIfNull(recordType);
        return _byRecord.TryGetValue(recordType, out var descriptor)
            ? descriptor
            : throw new ArgumentException(
                recordType.GetCustomAttribute<EventAttribute>() is null
                    ? $"{recordType.FullName} is not an event record: it has no [Event] attribute."
                    : $"{recordType.FullName} is not an event record of this registry.",
                nameof(recordType));
    }

    /// <summary>The event version's descriptor, or null if no record has that type and version.</summary>
    public EventDescriptor? Find(string type, int version) =>
        _byTypeAndVersion.GetValueOrDefault((type, version));

    /// <summary>The record type of the newest version of an event, the one <see cref="Read(string, int, string)"/> returns.</summary>
    /// <exception cref="ArgumentException">No event has that type.</exception>
    public Type LatestRecordType(string type) =>
        _latest.TryGetValue(type, out var latest)
            ? latest.RecordType
            : throw new ArgumentException($"There is no event named {type}.", nameof(type));

    /// <summary>The record's data JSON (not validated: call <see cref="Validate"/> before publishing).</summary>
    public string Serialize(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.Serialize(record, Describe(record.GetType()).RecordType, JsonOptions);
    }

    /// <summary>Checks event data against the schema of that type and version. Never throws for bad input.</summary>
    public SchemaCheck Validate(string type, int version, string dataJson) =>
        _schemas.TryGetValue((type, version), out var schema)
            ? Check(schema, dataJson, "data")
            : SchemaCheck.Invalid(Unknown(type, version));

    /// <summary>
    /// Data this process has validated with its event id (<see cref="RememberValid"/>), so that <see cref="Read(string, int, string, Guid)"/>
    /// of the same event with the same characters skips the schema. Shared by every service in the process.
    /// </summary>
    readonly RecentlyValid _recentlyValid = new(32_768);

    /// <summary>Records that the data of event <paramref name="eventId"/> passed <see cref="Validate"/>.</summary>
    public void RememberValid(Guid eventId, string type, int version, string dataJson) =>
        _recentlyValid.Remember(eventId, type, version, dataJson);

    /// <summary>Checks a CloudEvents envelope (structured JSON) against the envelope schema; data is not checked.</summary>
    public SchemaCheck ValidateEnvelope(string envelopeJson) => Check(_envelopeSchema, envelopeJson, "envelope");

    /// <summary>
    /// Validates event data, reads it as the record of its version and upcasts it to the newest
    /// version: <c>task.created</c> v1 and v2 both come back as <see cref="TaskCreated"/>.
    /// </summary>
    /// <exception cref="EventContractException">Unknown type or version, or data its schema refuses;
    /// <see cref="EventContractException.Errors"/> says why.</exception>
    public object Read(string type, int version, string dataJson) => Read(type, version, dataJson, validated: false);

    /// <summary>
    /// <see cref="Read(string, int, string)"/> of event <paramref name="eventId"/>: the schema is skipped when this
    /// process validated exactly this data for that event (<see cref="RememberValid"/>).
    /// </summary>
    public object Read(string type, int version, string dataJson, Guid eventId) =>
        Read(type, version, dataJson, _recentlyValid.Holds(eventId, type, version, dataJson));

    object Read(string type, int version, string dataJson, bool validated)
    {
        var descriptor = Find(type, version) ?? throw new EventContractException(type, version, [Unknown(type, version)]);

        var check = validated ? SchemaCheck.Valid : Validate(type, version, dataJson);
        if (!check.IsValid)
        {
            throw new EventContractException(type, version, check.Errors);
        }

        object record;
        try
        {
            record = JsonSerializer.Deserialize(dataJson, descriptor.RecordType, JsonOptions)
                     ?? throw new JsonException("The data is null.");
        }
        catch (JsonException e)
        {
            throw new EventContractException(type, version, [$"data: cannot be read as {descriptor.RecordType.Name}: {e.Message}"], e);
        }

        while (record is IUpcast<object> older)
        {
            record = older.Upcast();
        }

        return record;
    }

    SchemaCheck Check(JsonSchema schema, string? json, string root)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return SchemaCheck.Invalid($"{root}: is empty, expected a JSON object");
        }

        JToken token;
        try
        {
            token = Parse(json);
        }
        catch (Exception e) when (e is JsonException or Newtonsoft.Json.JsonException)
        {
            return SchemaCheck.Invalid($"{root}: is not valid JSON: {e.Message}");
        }

        // NJsonSchema throws on integers beyond decimal (it reads them as BigInteger).
        var tooLarge = (token is JContainer container ? container.DescendantsAndSelf() : [token])
            .OfType<JValue>()
            .Where(value => value.Value is BigInteger)
            .Select(value => $"{(value.Path.Length == 0 ? root : value.Path)}: the number {value} is too large")
            .ToArray();
        if (tooLarge.Length > 0)
        {
            return new SchemaCheck(tooLarge);
        }

        ICollection<ValidationError> errors;
        try
        {
            errors = _validator.Validate(token, schema);
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException or RegexMatchTimeoutException)
        {
            return SchemaCheck.Invalid($"{root}: cannot be validated: {e.Message}");
        }

        return errors.Count == 0 ? SchemaCheck.Valid : new SchemaCheck(SchemaErrors.Describe(errors, root));
    }

    /// <summary>
    /// Parses strictly, as System.Text.Json will when reading the record: Newtonsoft alone would
    /// accept comments, single quotes and trailing commas. Numbers are read as decimal so that
    /// <c>multipleOf: 0.01</c> is exact (12.5 and -17 pass, 0.30000000000000004 does not).
    /// </summary>
    static JToken Parse(string json)
    {
        var syntax = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (syntax.Read())
        {
        }

        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(json))
        {
            DateParseHandling = Newtonsoft.Json.DateParseHandling.None,
            FloatParseHandling = Newtonsoft.Json.FloatParseHandling.Decimal,
        };
        return JToken.ReadFrom(reader, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
    }

    string Unknown(string type, int version)
    {
        var versions = _schemas.Keys.Where(k => k.Type == type).Select(k => k.Version).Order().ToArray();
        return versions.Length == 0
            ? $"unknown event {type} v{version}: the registry has no event named {type}"
            : $"unknown event {type} v{version}: the registry has {type} version {string.Join(", ", versions)} only";
    }

    // Every older version must upcast, step by step, to a newer version of the same event, so
    // that Read always ends at LatestRecordType.
    void CheckUpcastChains()
    {
        foreach (var descriptor in All)
        {
            var next = descriptor.RecordType.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IUpcast<>))
                .Select(i => i.GetGenericArguments()[0])
                .ToArray();
            var latest = _latest[descriptor.Type];

            if (next.Length == 0 && descriptor != latest)
            {
                throw new InvalidOperationException(
                    $"{descriptor.RecordType.Name} ({descriptor.Type} v{descriptor.Version}) must implement IUpcast<> to a newer version of {descriptor.Type}.");
            }

            if (next.Length > 1
                || next.Length == 1 && (!_byRecord.TryGetValue(next[0], out var target)
                                        || target.Type != descriptor.Type
                                        || target.Version <= descriptor.Version))
            {
                throw new InvalidOperationException(
                    $"{descriptor.RecordType.Name} ({descriptor.Type} v{descriptor.Version}) must upcast to exactly one newer version of {descriptor.Type}.");
            }
        }
    }

    static Dictionary<string, JsonSchema> LoadSchemas(Assembly assembly)
    {
        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            // MSBuild's RecursiveDir uses '\' on Windows.
            var path = name.Replace('\\', '/');
            if (!path.StartsWith("schemas/", StringComparison.Ordinal) || !path.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var text = new StreamReader(stream, Encoding.UTF8);
            var json = text.ReadToEnd();
            try
            {
                // No $ref to resolve, so this completes without I/O.
                schemas[path] = JsonSchema.FromJsonAsync(json).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new InvalidOperationException($"The schema {path} cannot be loaded: {e.Message}", e);
            }
        }

        return schemas;
    }

    // schemas/<producer>/<event>/<version>.json
    static (string Type, int Version) TypeAndVersionOf(string path)
    {
        var parts = path.Split('/');
        return parts.Length == 4 && int.TryParse(Path.GetFileNameWithoutExtension(parts[3]), out var version)
            ? (parts[2], version)
            : throw new InvalidOperationException($"The schema {path} is not at schemas/<producer>/<event>/<version>.json.");
    }
}
