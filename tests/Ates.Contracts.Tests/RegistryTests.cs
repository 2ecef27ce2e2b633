using System.Text.Json.Nodes;
using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

public class RegistryTests
{
    static readonly string[] EventSchemas =
    [
        "schemas/accounting/billing.cycle_closed/1.json",
        "schemas/accounting/transaction.applied/1.json",
        "schemas/auth/user.created/1.json",
        "schemas/auth/user.updated/1.json",
        "schemas/tasks/task.assigned/1.json",
        "schemas/tasks/task.assigned/2.json",
        "schemas/tasks/task.completed/1.json",
        "schemas/tasks/task.completed/2.json",
        "schemas/tasks/task.created/1.json",
        "schemas/tasks/task.created/2.json",
        "schemas/tasks/task.updated/1.json",
        "schemas/tasks/tasks.day_closed/1.json",
    ];

    [Fact]
    public void Every_schema_has_a_record_and_every_record_a_schema()
    {
        Assert.Equal(EventSchemas, Registry.SchemaPaths);
        Assert.Equal(Registry.SchemaPaths, Registry.All.Select(d => d.SchemaPath));
    }

    [Fact]
    public void The_schemas_folder_is_what_the_assembly_embeds()
    {
        var root = RepositoryRoot();
        var onDisk = Directory.GetFiles(Path.Combine(root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        Assert.Equal(Registry.SchemaPaths.Append(EventRegistry.EnvelopeSchemaPath).Order(StringComparer.Ordinal), onDisk);
    }

    public static TheoryData<string> SchemaFiles => new(EventSchemas.Append(EventRegistry.EnvelopeSchemaPath));

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public void Every_schema_follows_the_registry_rules(string path)
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), path)))!.AsObject();

        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)schema["$schema"]);
        Assert.Equal(path, (string?)schema["$id"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)schema["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)schema["description"]));
        if (path == EventRegistry.EnvelopeSchemaPath)
        {
            Assert.True((bool)schema["additionalProperties"]!);
            Assert.DoesNotContain("traceparent", schema["required"]!.AsArray().Select(n => (string?)n));
        }
        else
        {
            AssertClosedObject(schema, path);
        }
    }

    // additionalProperties false, every field required and described, names in snake_case; the same for nested objects.
    static void AssertClosedObject(JsonObject schema, string where)
    {
        Assert.Equal("object", (string?)schema["type"]);
        Assert.False((bool)schema["additionalProperties"]!, $"{where}: additionalProperties must be false");
        var properties = schema["properties"]!.AsObject();
        Assert.Equal(
            properties.Select(p => p.Key).Order(),
            schema["required"]!.AsArray().Select(n => (string)n!).Order());
        foreach (var (name, property) in properties)
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", name);
            Assert.False(string.IsNullOrWhiteSpace((string?)property!["description"]), $"{where}: {name} has no description");
            if (property["items"] is JsonObject items)
            {
                AssertClosedObject(items, $"{where}: {name}[]");
            }
        }
    }

    [Fact]
    public void Describe_names_producer_type_version_record_and_schema()
    {
        Assert.Equal(
            new EventDescriptor("tasks", "task.created", 2, typeof(TaskCreated), "schemas/tasks/task.created/2.json"),
            Registry.Describe<TaskCreated>());
        Assert.Equal(
            new EventDescriptor("accounting", "billing.cycle_closed", 1, typeof(BillingCycleClosed), "schemas/accounting/billing.cycle_closed/1.json"),
            Registry.Describe(typeof(BillingCycleClosed)));
        Assert.Equal("auth", Registry.Describe<UserUpdated>().Producer);
    }

    [Fact]
    public void Describe_refuses_a_type_without_an_event_attribute()
    {
        var e = Assert.Throws<ArgumentException>(() => Registry.Describe(typeof(BillingCycleClosed.AccountCycle)));
        Assert.Contains("AccountCycle is not an event record: it has no [Event] attribute", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_looks_up_type_and_version()
    {
        Assert.Equal(typeof(TaskCreatedV1), Registry.Find("task.created", 1)?.RecordType);
        Assert.Equal(typeof(TaskCreated), Registry.Find("task.created", 2)?.RecordType);
        Assert.Equal(typeof(TasksDayClosed), Registry.Find("tasks.day_closed", 1)?.RecordType);
        Assert.Null(Registry.Find("task.created", 3));
        Assert.Null(Registry.Find("task.exploded", 1));
    }

    [Fact]
    public void Latest_record_type_is_the_newest_version()
    {
        Assert.Equal(typeof(TaskCreated), Registry.LatestRecordType("task.created"));
        Assert.Equal(typeof(UserCreated), Registry.LatestRecordType("user.created"));
        Assert.Throws<ArgumentException>(() => Registry.LatestRecordType("task.exploded"));
    }

    [Fact]
    public void Default_is_one_shared_instance_with_read_only_options()
    {
        Assert.Same(EventRegistry.Default, EventRegistry.Default);
        Assert.True(Registry.JsonOptions.IsReadOnly);
    }

    [Fact]
    public async Task Validation_and_reading_are_safe_from_many_threads()
    {
        var valid = Json<TaskCreated>();
        var invalid = Json<TaskCreated>(o => o["title"] = "[UBERPOP-42] Fix the beak");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            i % 2 == 0
                ? Registry.Validate("task.created", 2, valid).IsValid && Registry.Read("task.created", 2, valid) is TaskCreated
                : !Registry.Validate("task.created", 2, invalid).IsValid)));

        Assert.All(results, Assert.True);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ates.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ates.slnx not found above " + AppContext.BaseDirectory);
    }
}
