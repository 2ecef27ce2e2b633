using System.Net.Http.Json;
using System.Text.Json;

namespace Ates.LocalServers;

/// <summary>
/// A real Prometheus for a test: Debian's <c>prometheus</c> on a free loopback port, with its data in a temporary
/// folder, scraping the given targets' <c>/metrics</c> every second and loading the given rule files.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    const string Binary = "/usr/bin/prometheus";
    readonly ChildProcess _process;
    readonly string _folder;
    readonly HttpClient _http;

    PrometheusServer(ChildProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public int Port { get; }

    /// <summary>Starts it scraping <paramref name="targets"/> ("127.0.0.1:5102", …) with <paramref name="ruleFiles"/>, and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(IEnumerable<string> targets, IEnumerable<string> ruleFiles, CancellationToken ct = default)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} not found. Install it: apt-get install -y prometheus");
        var folder = TempFolder.Create("ates-prometheus-");
        var rules = ruleFiles.Select((file, i) =>
        {
            var copy = Path.Combine(folder, $"rules-{i}.yml");
            File.Copy(file, copy);
            return copy;
        }).ToList();
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [{string.Join(", ", rules.Select(r => $"'{r}'"))}]
            scrape_configs:
              - job_name: ates
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """, ct).ConfigureAwait(false);
        var port = FreePort.Next();
        var process = await ChildProcess.StartAsync("prometheus", Binary,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}"],
            new ChildProcessOptions { WorkingDirectory = folder }).ConfigureAwait(false);
        var server = new PrometheusServer(process, folder, port);
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"prometheus exited ({process.ExitCode}):\n{process.Tail()}");
                try { return (await server._http.GetAsync("-/ready", ct).ConfigureAwait(false)).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), "Prometheus should be ready", ct).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    /// <summary>An instant query through Prometheus' HTTP API: the result's series (<c>data.result</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string promql, CancellationToken ct = default)
    {
        var answer = await _http.GetFromJsonAsync<JsonElement>($"api/v1/query?query={Uri.EscapeDataString(promql)}", ct).ConfigureAwait(false);
        if (answer.GetProperty("status").GetString() != "success") throw new InvalidOperationException($"Prometheus refused '{promql}': {answer}");
        return answer.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
    }

    /// <summary>The rules Prometheus loaded, as its API lists them (<c>data.groups</c>).</summary>
    public async Task<JsonElement> RulesAsync(CancellationToken ct = default) =>
        (await _http.GetFromJsonAsync<JsonElement>("api/v1/rules", ct).ConfigureAwait(false)).GetProperty("data");

    public string Log => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.KillAndWaitAsync().ConfigureAwait(false);
        _process.Dispose();
        TempFolder.Delete(_folder);
    }
}
