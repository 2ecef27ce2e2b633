using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Ates.Messaging;
using Ates.Messaging.Envelope;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Rebuild;

/// <summary>
/// Drops Analytics' data (with its inbox, so every event is handled again) and has each producer replay its event
/// log into Analytics (POST {producer}/api/ops/replay). Reports are computed from stored facts, so live events that
/// arrive meanwhile do no harm: whichever comes second, the replayed or the live copy, is a duplicate.
/// One rebuild at a time per instance.
/// </summary>
public sealed class Rebuilder(IServiceScopeFactory scopes, IHttpClientFactory http, AnalyticsOptions options, TimeProvider time, ILogger<Rebuilder> log)
{
    public const string Consumer = "analytics";
    readonly Lock _gate = new();
    RebuildProgress? _current;

    /// <summary>The running or the last rebuild of this instance.</summary>
    public RebuildProgress? Current { get { lock (_gate) return _current; } }

    public static string ClientName(string producer) => $"analytics.replay.{producer}";

    /// <summary>Starts a rebuild in the background with the admin's access token; false when one is already running.</summary>
    public bool TryStart(string? accessToken, CancellationToken stopping, out RebuildProgress progress)
    {
        lock (_gate)
        {
            if (_current is { IsRunning: true } running)
            {
                progress = running;
                return false;
            }
            progress = _current = NewRun();
        }
        _ = Task.Run(() => RunAsync(accessToken, null, stopping), CancellationToken.None);
        return true;
    }

    /// <summary>Runs a rebuild to its end (the command waits on it); <paramref name="onChange"/> sees every step.</summary>
    public async Task<RebuildProgress> RunAsync(string? accessToken, Action<RebuildProgress>? onChange, CancellationToken ct)
    {
        lock (_gate)
            if (_current is not { IsRunning: true }) _current = NewRun();
        onChange?.Invoke(Current!);
        try
        {
            await ClearAsync(ct);
            foreach (var producer in options.Producers.Keys.Order(StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                await ReplayAsync(producer, accessToken, onChange, ct);
            }
            var failed = Current!.Producers.Where(p => p.State == "failed").Select(p => p.Name).ToList();
            Finish(failed.Count == 0 ? "done" : "failed", failed.Count == 0 ? null : $"Not rebuilt from {string.Join(", ", failed)}: each producer's line says why; rebuild again once they answer.");
        }
        catch (Exception e)
        {
            log.LogError(e, "The rebuild failed");
            Finish("failed", e is OperationCanceledException ? "Stopped before it finished." : $"{e.GetType().Name}: {e.Message}");
        }
        onChange?.Invoke(Current!);
        return Current!;
    }

    RebuildProgress NewRun() => new(Guid.CreateVersion7(), time.GetUtcNow(), null, "running", null,
        options.Producers.Keys.Order(StringComparer.Ordinal).Select(p => new ProducerProgress(p, "waiting", null, 0, null)).ToList());

    /// <summary>
    /// Drops every fact and the inbox in one transaction; dead letters stay (they say what failed before), and so does the
    /// users replica: the sign-in gate lets in only popugs it knows, so the admin watching the rebuild stays in, and
    /// Auth's replayed snapshots are applied over it (a version already held is skipped).
    /// </summary>
    async Task ClearAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Postings.ExecuteDeleteAsync(ct);
        await db.Tasks.ExecuteDeleteAsync(ct);
        await db.ClosedDays.ExecuteDeleteAsync(ct);
        await db.Set<InboxMessage>().ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
    }

    async Task ReplayAsync(string producer, string? accessToken, Action<RebuildProgress>? onChange, CancellationToken ct)
    {
        Update(producer, p => p with { State = "replaying" }, onChange);
        long sent;
        try
        {
            using var client = http.CreateClient(ClientName(producer));
            using var request = new HttpRequestMessage(HttpMethod.Post, ReplayUri(options.Producers[producer]))
            {
                Content = JsonContent.Create(new { consumer = Consumer, from = 0 }),
            };
            if (!string.IsNullOrEmpty(accessToken)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await client.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                Update(producer, p => p with { State = "failed", Error = $"{producer} refused the replay: {(int)response.StatusCode} {response.ReasonPhrase}. {Shorten(body)}" }, onChange);
                return;
            }
            sent = (await response.Content.ReadFromJsonAsync<ReplayAnswer>(ct))?.Sent ?? 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Update(producer, p => p with { State = "failed", Error = $"{producer} did not answer at {options.Producers[producer]}: {e.Message}" }, onChange);
            return;
        }

        // Embedded delivery is done when the replay answers; RabbitMQ still carries the events: wait until they are handled.
        Update(producer, p => p with { State = "handling", Sent = sent }, onChange);
        var deadline = time.GetUtcNow() + options.RebuildSettleTimeout;
        while (true)
        {
            var handled = await HandledAsync(producer, Current!.StartedAt, ct);
            Update(producer, p => p with { Handled = handled }, onChange);
            if (handled >= sent)
            {
                Update(producer, p => p with { State = "done" }, onChange);
                return;
            }
            if (time.GetUtcNow() > deadline)
            {
                Update(producer, p => p with { State = "failed", Error = $"Only {handled} of the {sent} replayed events were handled in {options.RebuildSettleTimeout}; see the dead letters." }, onChange);
                return;
            }
            // A poll interval, not a point in time: real time, whatever clock the reports use.
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    /// <summary>The producer's events Analytics is done with since the rebuild began: handled, or dead-lettered (invalid or failing).</summary>
    async Task<long> HandledAsync(string producer, DateTimeOffset since, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDb>();
        var source = EventEnvelope.SourceOf(producer);
        var sinceUtc = since.UtcDateTime;
        return await db.Set<InboxMessage>().LongCountAsync(m => m.Source == source, ct)
               + await db.Set<DeadLetter>().LongCountAsync(d => d.Source == source && d.FailedAt >= sinceUtc, ct);
    }

    void Update(string producer, Func<ProducerProgress, ProducerProgress> change, Action<RebuildProgress>? onChange)
    {
        RebuildProgress now;
        lock (_gate)
            now = _current = _current! with { Producers = _current.Producers.Select(p => p.Name == producer ? change(p) : p).ToList() };
        onChange?.Invoke(now);
    }

    void Finish(string state, string? error)
    {
        lock (_gate) _current = _current! with { State = state, Error = error, FinishedAt = time.GetUtcNow() };
    }

    static Uri ReplayUri(string baseAddress) => new($"{baseAddress.TrimEnd('/')}/api/ops/replay");

    static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    sealed record ReplayAnswer(long Sent);
}
