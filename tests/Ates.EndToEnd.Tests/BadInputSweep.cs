using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ates.EndToEnd.Tests;

/// <summary>
/// Bad input for every operation a service's OpenAPI document describes: path ids that are unknown or not ids, query
/// values of the wrong type and at the extremes, bodies that are not JSON, of the wrong shape, with fields of the wrong
/// type, unknown fields, extremes of dates and numbers, control characters, very long strings and a huge body. Every
/// answer must be a 4xx problem (a read may also answer 200), never a 5xx, and a refused write must store nothing.
/// </summary>
public sealed class BadInputSweep(Func<Task<string>> storedFingerprint)
{
    /// <param name="Form">The body is a form (application/x-www-form-urlencoded), not JSON.</param>
    public sealed record Probe(HttpMethod Method, string Path, string? Body, string What, bool Form = false);

    /// <summary>
    /// Auth's form endpoints, which its API description leaves out: the token endpoint (every grant, as a client would
    /// misuse it) and the sign-in form (no antiforgery token, as another site would post it).
    /// </summary>
    public static IEnumerable<Probe> AuthFormProbes()
    {
        string Form(params (string Key, string Value)[] fields) => string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        var grants = new (string, string)[][]
        {
            [],
            [("grant_type", "password")],
            [("grant_type", "magic"), ("client_id", "ates-cli")],
            // No real popug's name with a wrong password: five of those would lock the account for the tests after this one.
            [("grant_type", "password"), ("client_id", "no-such-client"), ("username", "nobody@popug.inc"), ("password", "x")],
            [("grant_type", "password"), ("client_id", "ates-cli"), ("username", "nobody\u0000@popug.inc"), ("password", "x")],
            [("grant_type", "password"), ("client_id", "ates-cli"), ("username", Long), ("password", Long), ("scope", "openid " + Long[..5000])],
            [("grant_type", "authorization_code"), ("client_id", "tasks"), ("code", "forged"), ("code_verifier", "x"), ("redirect_uri", "http://evil.example/")],
            [("grant_type", "refresh_token"), ("client_id", "ates-cli"), ("refresh_token", "forged")],
            [("grant_type", "client_credentials"), ("client_id", "ates-cli")],
        };
        foreach (var fields in grants)
            yield return new Probe(HttpMethod.Post, "/auth/connect/token", Form(fields), $"token: {Show(Form(fields))}", Form: true);
        yield return new Probe(HttpMethod.Post, "/auth/signin", Form(("email", "nobody@popug.inc"), ("password", "x"), ("returnUrl", "/")), "sign-in without its form token", Form: true);
        yield return new Probe(HttpMethod.Post, "/auth/connect/token", "{\"grant_type\": \"password\"}", "token: a JSON body");
    }

    readonly List<string> _failures = [];
    string? _stored;
    public IReadOnlyList<string> Failures => _failures;
    public int Sent { get; private set; }

    const string LongText = "long";
    static readonly string Long = new('x', 100_000);
    static readonly string[] BadScalars = ["x", "-1", "1e400", "99999999999999999999", "9999-12-31", "0001-01-01", "2026-02-30", "\u0000", "\u0007ding", "[]", LongText];

    /// <summary>The probes for one service's document; <paramref name="prefix"/> is the service's path under the gateway.</summary>
    public static IEnumerable<Probe> ProbesOf(JsonElement document, string prefix)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            if (operation.Name is "parameters" or "summary" or "description") continue;
            var method = new HttpMethod(operation.Name.ToUpperInvariant());
            var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
            var query = parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!).ToList();
            var body = operation.Value.TryGetProperty("requestBody", out var rb) && rb.GetProperty("content").TryGetProperty("application/json", out var json)
                ? Resolve(json.GetProperty("schema"), schemas) : (JsonElement?)null;

            // Ids in the path: one that names nothing, and ones that are no id at all.
            var template = prefix + path.Name;
            var ids = path.Name.Contains('{') ? new string?[] { Guid.NewGuid().ToString(), "not-an-id", "%00", Long[..2000] } : [null];
            foreach (var id in ids)
            {
                var url = id is null ? template : System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]+\}", id);
                var label = id is null ? "" : $" id={Show(id)}";
                if (id is not null) yield return new Probe(method, url, body is null ? null : "{}", $"unknown id{label}");
                if (id is not null && id != ids[0]) continue;

                foreach (var name in query)
                foreach (var value in BadScalars)
                    yield return new Probe(method, $"{url}?{name}={Uri.EscapeDataString(value == LongText ? Long[..10_000] : value)}", body is null ? null : "{}", $"{name}={Show(value)}{label}");

                if (body is not { } schema) continue;
                foreach (var (text, what) in Bodies(schema, schemas)) yield return new Probe(method, url, text, what + label);
            }
        }
    }

    static IEnumerable<(string Body, string What)> Bodies(JsonElement schema, JsonElement schemas)
    {
        yield return ("{\"title\": ", "not JSON");
        yield return ("[]", "an array for an object");
        yield return ("\"x\"", "a string for an object");
        yield return ("null", "null");
        yield return ("{\"" + Long[..50] + "\": 1}", "only an unknown field");
        yield return ("{\"title\": \"" + new string('x', 5_000_000) + "\"}", "a 5 MB body");
        var properties = schema.TryGetProperty("properties", out var ps) ? ps.EnumerateObject().ToList() : [];
        foreach (var property in properties)
        {
            var resolved = Resolve(property.Value, schemas);
            var type = TypeOf(resolved);
            var format = resolved.TryGetProperty("format", out var f) ? f.GetString() : null;
            var wrong = type is "string" ? new JsonNode?[] { 12345, true, new JsonObject(), new JsonArray() } : ["abc", new JsonObject(), new JsonArray()];
            foreach (var value in wrong) yield return (Body(property.Name, value), $"{property.Name}: {value?.ToJsonString() ?? "null"}");
            var extremes = type switch
            {
                "string" when format == "date" => new JsonNode?[] { "9999-12-31", "0001-01-01", "2026-02-30", "today", "" },
                "string" when format == "uuid" => ["not-an-id", Guid.Empty.ToString(), ""],
                "string" => [Long, "\u0000", "a\u0007b", ""],
                "integer" or "number" => [-1, long.MaxValue, JsonNode.Parse("1e308"), JsonNode.Parse("99999999999999999999999")],
                _ => [],
            };
            foreach (var value in extremes) yield return (Body(property.Name, value), $"{property.Name}: {Show(value?.ToJsonString() ?? "null")}");
            // A lone surrogate, escaped as JSON allows (a JsonNode would write it as U+FFFD).
            if (type == "string" && format is null) yield return ($"{{\"{property.Name}\": \"a\\ud800b\"}}", $"{property.Name}: a lone surrogate");
            // The field right, an unknown one beside it.
            yield return (new JsonObject { [property.Name] = Sample(type), ["unexpected_field"] = 1 }.ToJsonString(), $"{property.Name} and an unknown field");
        }
    }

    static string Body(string name, JsonNode? value) => new JsonObject { [name] = value?.DeepClone() }.ToJsonString();

    static JsonNode? Sample(string? type) => type switch { "string" => "Sample", "integer" or "number" => 1, "boolean" => true, _ => null };

    static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return null;
        return type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") : type.GetString();
    }

    static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        while (schema.TryGetProperty("$ref", out var reference) && schemas.ValueKind == JsonValueKind.Object)
            schema = schemas.GetProperty(reference.GetString()!.Split('/').Last());
        return schema;
    }

    static string Show(string value) => value.Length > 40 ? $"{value.Length} chars" : JsonSerializer.Serialize(value);

    /// <summary>Sends a probe as each caller; records what breaks the rules.</summary>
    public async Task RunAsync(Probe probe, IReadOnlyDictionary<string, HttpClient> callers, CancellationToken ct)
    {
        var write = probe.Method != HttpMethod.Get;
        foreach (var (caller, client) in callers)
        {
            if (write) _stored ??= await storedFingerprint();
            using var request = new HttpRequestMessage(probe.Method, probe.Path);
            if (probe.Body is not null) request.Content = new StringContent(probe.Body, Encoding.UTF8, probe.Form ? "application/x-www-form-urlencoded" : "application/json");
            using var response = await client.SendAsync(request, ct);
            Sent++;
            var status = (int)response.StatusCode;
            var where = $"{probe.Method} {Trim(probe.Path)} ({probe.What}) as {caller}: {status}";
            if (status >= 500) _failures.Add($"{where} {Trim(await response.Content.ReadAsStringAsync(ct))}");
            // Kestrel refuses a NUL in the path (400) and a request line over its limit (414) before any service sees them.
            // The token endpoint answers as OAuth 2.0 says (RFC 6749 §5.2), JSON with an "error"; a form it cannot even read is a problem.
            else if (status >= 400 && probe.Path.EndsWith("/connect/token", StringComparison.Ordinal))
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    && (response.Content.Headers.ContentType?.MediaType != "application/json" || !(await response.Content.ReadAsStringAsync(ct)).Contains("\"error\"", StringComparison.Ordinal)))
                    _failures.Add($"{where}, not an OAuth error");
            }
            else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json" && status != 404 && status != 405
                     && status != 414 && !(status == 400 && probe.Path.Contains("%00", StringComparison.Ordinal)))
                _failures.Add($"{where}, not a problem but {response.Content.Headers.ContentType?.MediaType ?? "no body"}");
            else if (write && status < 400) _failures.Add($"{where}: bad input accepted");
            if (!write) continue;
            var after = await storedFingerprint();
            if (after != _stored) _failures.Add($"{where}: something was stored ({_stored} → {after})");
            _stored = after;
        }
    }

    static string Trim(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
