namespace Ates.Architecture.Tests;

/// <summary>
/// Inside a service the folders (namespaces) use each other in one direction only, so each can be read, changed and
/// tested from the ones below it: no two namespaces may reach each other.
/// </summary>
public sealed class NamespaceLoopTests
{
    public static TheoryData<string> Services => ["Ates.Auth", "Ates.Tasks", "Ates.Accounting", "Ates.Analytics"];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_has_no_namespace_loops(string service)
    {
        var evidence = new Dictionary<(string From, string To), string>();
        var graph = NamespaceGraph.Of(Path.Combine(AppContext.BaseDirectory, $"{service}.dll"), service, evidence);
        Assert.True(graph.Count > 3, $"{service}: only {graph.Count} namespaces read");
        var loops = NamespaceGraph.Loops(graph, evidence).ToList();
        Assert.True(loops.Count == 0, $"{service} has namespaces that reach each other:\n{string.Join("\n", loops)}");
    }

    [Fact]
    public void The_rule_catches_a_loop_and_names_it()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["S"] = ["S.Billing", "S.Ledger", "S.Data"],
            ["S.Billing"] = ["S.Ledger", "S.Data"],
            ["S.Ledger"] = ["S.Data"],
            ["S.Data"] = ["S.Billing"],
            ["S.Emails"] = [],
        };
        Assert.Equal(
            ["S.Billing → S.Data → S.Billing (all of S.Billing, S.Data, S.Ledger reach each other)"],
            NamespaceGraph.Loops(graph));
        graph["S.Data"].Clear();
        Assert.Empty(NamespaceGraph.Loops(graph));
    }
}
