using Mono.Cecil;

namespace Ates.Architecture.Tests;

/// <summary>
/// Every service starts through the one bootstrap in ServiceDefaults (options, database, schema, messaging, transport,
/// web parts) and runs its one middleware pipeline: none wires these parts itself, so none drifts from the others.
/// </summary>
public sealed class BootstrapTests
{
    /// <summary>What only ServiceDefaults calls: the parts of the bootstrap and of the pipeline.</summary>
    static readonly string[] BootstrapParts =
    [
        "AddDbContextPool", "AddDbContext", "UseServiceDatabase", "AddOutboxSignal", "AddServiceSchema", "AddMessaging",
        "UseTransport", "AddServiceApi", "AddServiceWeb", "AddProblemDetails", "AddAntiforgery", "AddServiceTelemetry",
        "UsePathBase", "UseExceptionHandler", "UseStatusCodePages", "UseAuthentication", "UseAuthorization", "UseAntiforgery",
        "UseForwardedHeaders", "MapOps", "MapServiceHealth", "MapOpenApi",
    ];

    [Theory]
    [MemberData(nameof(NamespaceLoopTests.Services), MemberType = typeof(NamespaceLoopTests))]
    public void A_service_starts_through_the_bootstrap_and_wires_none_of_its_parts(string service)
    {
        var calls = Calls(service);
        Assert.Contains("ServiceBootstrap.AddAtesService", calls.Keys);
        Assert.True(calls.Keys.Any(c => c is "ServiceWeb.UseServiceWeb" or "ServiceWeb.UseServicePipeline"), $"{service} runs no shared pipeline");
        var own = calls.Where(c => BootstrapParts.Contains(c.Key.Split('.')[^1])).Select(c => $"{c.Value} calls {c.Key}").ToList();
        Assert.True(own.Count == 0, $"{service} wires what the bootstrap does:\n{string.Join("\n", own)}");
    }

    [Fact]
    public void The_rule_sees_the_parts_where_they_are_called_lambdas_included()
    {
        var calls = Calls("Ates.ServiceDefaults");
        Assert.Equal("ServiceBootstrap", calls["ServiceTransport.UseTransport"]);
        // Called inside the lambda that configures the database pool.
        Assert.Equal("ServiceBootstrap", calls["ServiceDatabase.UseServiceDatabase"]);
        Assert.Equal("ServiceWeb", calls["StatusPages.WriteAsync"]);
    }

    /// <summary>"DeclaringType.Method" of every method the assembly's code calls → the first type (outermost) calling it.</summary>
    static Dictionary<string, string> Calls(string assembly)
    {
        using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, $"{assembly}.dll"));
        var calls = new Dictionary<string, string>();
        foreach (var type in module.GetTypes())
        foreach (var method in type.Methods.Where(m => m.HasBody))
        foreach (var instruction in method.Body.Instructions)
        {
            if (instruction.Operand is not MethodReference called) continue;
            var caller = type;
            while (caller.DeclaringType is not null) caller = caller.DeclaringType;
            calls.TryAdd($"{called.DeclaringType.Name}.{called.Name}", caller.Name);
        }
        return calls;
    }
}
