using Mono.Cecil;

namespace Ates.Architecture.Tests;

/// <summary>
/// Which namespaces of an assembly use which, read from its compiled code: base types, interfaces, fields, properties,
/// method signatures, attributes and every type, method or field a method body names. Compiler-generated types (async
/// state machines, lambdas' closures) count as the type that declares them.
/// </summary>
public static class NamespaceGraph
{
    /// <summary>
    /// Namespace → the other namespaces under <paramref name="root"/> it uses; <paramref name="evidence"/> names, for each
    /// such use, the first pair of types found ("Billing.DayCloser uses Emails.Email").
    /// </summary>
    public static Dictionary<string, HashSet<string>> Of(string assemblyPath, string root, Dictionary<(string From, string To), string>? evidence = null)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in module.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!Under(from, root)) continue;
            var uses = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var used in Used(type))
                if (NamespaceOf(used) is var to && to != from && Under(to, root) && uses.Add(to))
                    evidence?.TryAdd((from, to), $"{Name(type)} uses {Name(used)}");
        }
        return graph;
    }

    /// <summary>
    /// One line for each set of namespaces that reach each other: a loop through them ("A → B → A"), then every use
    /// between them that <paramref name="evidence"/> names.
    /// </summary>
    public static IEnumerable<string> Loops(IReadOnlyDictionary<string, HashSet<string>> graph, IReadOnlyDictionary<(string From, string To), string>? evidence = null)
    {
        foreach (var component in Components(graph).Where(c => c.Count > 1))
        {
            var members = component.ToHashSet();
            var start = component.Min(StringComparer.Ordinal)!;
            var uses = (evidence ?? new Dictionary<(string, string), string>()).Where(e => members.Contains(e.Key.From) && members.Contains(e.Key.To))
                .Select(e => $"\n  {e.Value}").Order(StringComparer.Ordinal);
            yield return string.Join(" → ", CycleThrough(start, graph, members))
                + $" (all of {string.Join(", ", component.Order(StringComparer.Ordinal))} reach each other)" + string.Concat(uses);
        }
    }

    static string Name(TypeReference type)
    {
        while (type is TypeSpecification spec) type = spec.ElementType;
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.FullName;
    }

    static bool Under(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    static string NamespaceOf(TypeReference type)
    {
        while (type is TypeSpecification spec) type = spec.ElementType;
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    static IEnumerable<TypeReference> Used(TypeDefinition type)
    {
        if (type.BaseType is not null) foreach (var t in Expand(type.BaseType)) yield return t;
        foreach (var i in type.Interfaces) foreach (var t in Expand(i.InterfaceType)) yield return t;
        foreach (var a in type.CustomAttributes) yield return a.AttributeType;
        foreach (var field in type.Fields) foreach (var t in Expand(field.FieldType)) yield return t;
        foreach (var property in type.Properties) foreach (var t in Expand(property.PropertyType)) yield return t;
        foreach (var method in type.Methods)
        {
            foreach (var t in Expand(method.ReturnType)) yield return t;
            foreach (var p in method.Parameters) foreach (var t in Expand(p.ParameterType)) yield return t;
            if (!method.HasBody) continue;
            foreach (var v in method.Body.Variables) foreach (var t in Expand(v.VariableType)) yield return t;
            foreach (var instruction in method.Body.Instructions)
            {
                var named = instruction.Operand switch
                {
                    TypeReference t => Expand(t),
                    MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType))
                        .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
                    FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                    _ => [],
                };
                foreach (var t in named) yield return t;
            }
        }
    }

    /// <summary>A type with its generic arguments and element types: <c>List&lt;PostingFact&gt;</c> uses PostingFact.</summary>
    static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        yield return type;
        if (type is GenericInstanceType generic)
            foreach (var argument in generic.GenericArguments) foreach (var t in Expand(argument)) yield return t;
        if (type is TypeSpecification spec) foreach (var t in Expand(spec.ElementType)) yield return t;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    static List<List<string>> Components(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var next) ? next : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string popped;
            do { popped = stack.Pop(); onStack.Remove(popped); component.Add(popped); } while (popped != v);
            components.Add(component);
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }

    /// <summary>A shortest way from <paramref name="start"/> back to itself inside one component.</summary>
    static IEnumerable<string> CycleThrough(string start, IReadOnlyDictionary<string, HashSet<string>> graph, HashSet<string> members)
    {
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in graph[v].Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (w == start)
                {
                    var path = new List<string> { start };
                    for (var at = v; at != start; at = previous[at]) path.Add(at);
                    path.Add(start);
                    path.Reverse(1, path.Count - 2);
                    return path;
                }
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
            }
        }
        return [start];
    }
}
