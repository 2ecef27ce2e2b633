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

    /// <summary>Project references from outside tests/ into tests/, as "project references path".</summary>
    public static IEnumerable<string> ReferencesIntoTests(string root, IEnumerable<string> projects)
    {
        var tests = Path.GetFullPath(Path.Combine(root, "tests")) + Path.DirectorySeparatorChar;
        foreach (var project in projects)
        {
            var full = Path.GetFullPath(project);
            if (full.StartsWith(tests, StringComparison.Ordinal)) continue;
            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference"))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                if (target.StartsWith(tests, StringComparison.Ordinal))
                    yield return $"{Path.GetRelativePath(root, full)} references {Path.GetRelativePath(root, target)}";
            }
        }
    }

    [Fact]
    public void Nothing_outside_tests_references_a_test_project()
    {
        var root = RepositoryRoot();
        var projects = Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.Contains(projects, p => p.EndsWith("Ates.Topology.csproj", StringComparison.Ordinal));
        Assert.Empty(ReferencesIntoTests(root, projects));
    }

    [Fact]
    public void The_rule_catches_a_tool_that_references_a_test_project()
    {
        using var folder = new ScratchTree();
        var tool = folder.Project("tools/Tool/Tool.csproj", "../../tests/Helpers/Helpers.csproj", "../Other/Other.csproj");
        var test = folder.Project("tests/Helpers.Tests/Helpers.Tests.csproj", "../Helpers/Helpers.csproj");
        Assert.Equal(
            [$"tools{Path.DirectorySeparatorChar}Tool{Path.DirectorySeparatorChar}Tool.csproj references tests{Path.DirectorySeparatorChar}Helpers{Path.DirectorySeparatorChar}Helpers.csproj"],
            ReferencesIntoTests(folder.Root, [tool, test]));
    }

    /// <summary>A throw-away repository of project files for the rule's own test.</summary>
    sealed class ScratchTree : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("ates-architecture-").FullName;

        public string Project(string path, params string[] references)
        {
            var full = Path.Combine(Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            new XDocument(new XElement("Project", new XElement("ItemGroup",
                references.Select(r => new XElement("ProjectReference", new XAttribute("Include", r)))))).Save(full);
            return full;
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ates.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Ates.slnx not found above the test's folder.");
    }
}
