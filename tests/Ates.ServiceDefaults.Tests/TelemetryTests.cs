using System.Diagnostics;
using Ates.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Ates.ServiceDefaults.Tests;

/// <summary>With an OTLP endpoint a service's log lines name the trace they were written in; without one it records nothing.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_a_log_line_in_a_trace_carries_its_trace_id()
    {
        var logs = new ScopeCapture();
        await using var app = Service(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" }, logs);

        using var source = new ActivitySource("Ates.Tests.Telemetry");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using (var handling = source.StartActivity("handle task.completed"))
            app.Services.GetRequiredService<ILogger<TelemetryTests>>().LogInformation("Rewarded the task");

        var line = Assert.Single(logs.Lines, l => l.Message == "Rewarded the task");
        Assert.Contains(line.Scopes, s => s.Key == "TraceId" && s.Value is not null && s.Value.ToString() != default(ActivityTraceId).ToHexString());
        // The console prints that scope on the line.
        Assert.True(app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
        Assert.NotNull(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    [Fact]
    public async Task Without_an_endpoint_or_prometheus_nothing_is_recorded()
    {
        await using var app = Service([], new ScopeCapture());
        Assert.Null(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.Null(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }

    static WebApplication Service(Dictionary<string, string?> settings, ScopeCapture logs)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.AddServiceTelemetry("test");
        return builder.Build();
    }

    /// <summary>Every log line with the scopes it was written in.</summary>
    sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public List<(string Message, List<KeyValuePair<string, object?>> Scopes)> Lines { get; } = [];

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        sealed class Logger(ScopeCapture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<KeyValuePair<string, object?>>();
                capture._scopes.ForEachScope((scope, list) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs) list.AddRange(pairs);
                }, scopes);
                lock (capture.Lines) capture.Lines.Add((formatter(state, exception), scopes));
            }
        }
    }
}
