using System.Xml.Linq;

namespace Ates.Architecture.Tests;

/// <summary>The services share nothing but events: no service project may reference another.</summary>
public sealed class BoundaryTests
{
    /// <summary>What each shared project may reference; a service may reference exactly these three.</summary>
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Ates.Contracts"] = [],
        ["Ates.Messaging"] = ["Ates.Contracts"],
        ["Ates.ServiceDefaults"] = ["Ates.Contracts", "Ates.Messaging"],
    };

    static readonly string[] Services = ["Ates.Auth", "Ates.Tasks", "Ates.Accounting", "Ates.Analytics"];

    public static IEnumerable<string> Violations(IReadOnlyDictionary<string, IReadOnlyList<string>> references)
    {
        foreach (var (project, referenced) in references)
        {
            // The host is the one place that composes services; tests and benchmarks may reach anything.
            string[]? allowed = Allowed.TryGetValue(project, out var shared) ? shared
                : Services.Contains(project) ? [.. Allowed.Keys]
                : null;
            if (allowed is null) continue;
            foreach (var reference in referenced.Where(r => !allowed.Contains(r)))
                yield return $"{project} references {reference}; it may reference only {(allowed.Length == 0 ? "nothing" : string.Join(", ", allowed))}.";
        }
    }

    [Fact]
    public void No_service_references_another_service()
    {
        var root = RepositoryRoot();
        var references = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(
                path => Path.GetFileNameWithoutExtension(path),
                path => (IReadOnlyList<string>)XDocument.Load(path).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList());
        Assert.Contains("Ates.Messaging", references.Keys);
        Assert.Empty(Violations(references));
    }

    [Fact]
    public void The_rule_catches_a_service_that_references_another()
    {
        var references = new Dictionary<string, IReadOnlyList<string>>
        {
            ["Ates.Accounting"] = ["Ates.Messaging", "Ates.Tasks"],
            ["Ates.Messaging"] = ["Ates.Contracts", "Ates.Analytics"],
            ["Ates.Tasks"] = ["Ates.Contracts", "Ates.Messaging", "Ates.ServiceDefaults"],
            ["Ates.Host"] = ["Ates.Tasks", "Ates.Accounting"],
        };
        Assert.Equal(
            ["Ates.Accounting references Ates.Tasks; it may reference only Ates.Contracts, Ates.Messaging, Ates.ServiceDefaults.",
             "Ates.Messaging references Ates.Analytics; it may reference only Ates.Contracts."],
            Violations(references));
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ates.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ates.slnx not found above the test's folder.");
    }
}
