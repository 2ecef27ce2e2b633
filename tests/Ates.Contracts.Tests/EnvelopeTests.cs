using System.Text.Json.Nodes;
using static Ates.Contracts.Tests.Samples;

namespace Ates.Contracts.Tests;

public class EnvelopeTests
{
    static string Envelope(Action<JsonObject>? change = null)
    {
        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "3a6f1c2d-9b8e-4f7a-a1b2-c3d4e5f60718",
            ["source"] = "/ates/tasks",
            ["type"] = "task.created",
            ["time"] = "2026-03-03T16:20:00Z",
            ["dataschema"] = "ates:schemas/tasks/task.created/2.json",
            ["datacontenttype"] = "application/json",
            ["eventversion"] = 2,
            ["sequence"] = "1042",
            ["partitionkey"] = TaskId.ToString(),
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["data"] = JsonNode.Parse(Json<TaskCreated>()),
        };
        change?.Invoke(envelope);
        return envelope.ToJsonString();
    }

    [Fact]
    public void A_complete_envelope_is_accepted()
    {
        var check = Registry.ValidateEnvelope(Envelope());

        Assert.True(check.IsValid, check.ToString());
        Assert.Empty(check.Errors);
    }

    [Fact]
    public void Traceparent_is_optional_and_other_attributes_are_allowed()
    {
        var check = Registry.ValidateEnvelope(Envelope(e =>
        {
            e.Remove("traceparent");
            e["subject"] = "task";
        }));

        Assert.True(check.IsValid, check.ToString());
    }

    [Fact]
    public void An_envelope_without_id_is_refused()
    {
        var check = Registry.ValidateEnvelope(Envelope(e => e.Remove("id")));

        Assert.False(check.IsValid);
        Assert.Equal(["id: is required but missing"], check.Errors);
    }

    [Fact]
    public void Attributes_are_checked()
    {
        Assert.Equal(
            ["sequence: must be a string, got 1042"],
            Registry.ValidateEnvelope(Envelope(e => e["sequence"] = 1042)).Errors);
        Assert.Equal(
            ["specversion: must be one of 1.0, got \"0.3\""],
            Registry.ValidateEnvelope(Envelope(e => e["specversion"] = "0.3")).Errors);
        Assert.Equal(
            ["traceparent: must be a W3C trace context traceparent like 00-<32 hex>-<16 hex>-01"],
            Registry.ValidateEnvelope(Envelope(e => e["traceparent"] = "abc")).Errors);
        Assert.Equal(
            ["dataschema: must be a registry path like ates:schemas/tasks/task.created/2.json"],
            Registry.ValidateEnvelope(Envelope(e => e["dataschema"] = "https://example.com/task.json")).Errors);
        Assert.Equal(
            ["data: must be a JSON object, got \"{}\""],
            Registry.ValidateEnvelope(Envelope(e => e["data"] = "{}")).Errors);
    }

    [Fact]
    public void A_malformed_envelope_is_refused_not_thrown()
    {
        Assert.StartsWith(
            "envelope: is not valid JSON: ",
            Assert.Single(Registry.ValidateEnvelope("{\"id\":").Errors),
            StringComparison.Ordinal);
    }
}
