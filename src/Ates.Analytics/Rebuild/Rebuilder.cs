using System.Net.Http.Headers;
using Ates.Analytics.Data;
using Ates.Analytics.Hosting;
using Ates.Analytics.Ops;
using Ates.Messaging.Envelope;
using Ates.Messaging.DeadLetters;
using Ates.Messaging.Inbox;
using Ates.Messaging.Ops;
using Microsoft.EntityFrameworkCore;

namespace Ates.Analytics.Rebuild;

/// <summary>
/// Builds Analytics' facts again from the producers' event logs, aside: a new generation of facts is opened next to
/// the live one, the inbox is emptied (so every event is handled again) and each producer replays its log into
/// Analytics (POST {producer}/api/ops/replay). Every event, replayed or live, feeds both generations; the reports keep
/// reading the live one. When every producer's replay is handled the new generation becomes live in one update and
/// the old one is dropped; a failed rebuild drops the new one and changes nothing the reports show.
/// One rebuild at a time per instance.
/// </summary>
public sealed class Rebuilder(IServiceScopeFactory scopes, IHttpClientFactory http, AnalyticsOptions options, TimeProvider time, ILogger<Rebuilder> log)
{
    public const string Consumer = "analytics";
    readonly Lock _gate = new();
    RebuildProgress? _current;

    /// <summary>The running or the last rebuild of this instance.</summary>
    public RebuildProgress? Current { get { lock (_gate) return _current; } }

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
        long? generation = null;
        try
        {
            generation = await BeginAsync(ct);
            foreach (var producer in options.Producers.Keys.Order(StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                await ReplayAsync(producer, accessToken, onChange, ct);
            }
            var failed = Current!.Producers.Where(p => p.State == "failed").Select(p => p.Name).ToList();
            if (failed.Count > 0)
            {
                await AbandonAsync(generation.Value, CancellationToken.None);
                Finish("failed", $"Not rebuilt from {string.Join(", ", failed)}: each producer's line says why; the reports are as they were. Rebuild again once they answer.");
            }
            else if (await SwapAsync(generation.Value, CancellationToken.None))
                Finish("done", null);
            else
                Finish("failed", "Another rebuild started meanwhile and took this one's place; the reports are as they were.");
        }
        catch (Exception e)
        {
            log.LogError(e, "The rebuild failed");
            if (generation is { } abandoned) await TryAbandonAsync(abandoned);
            Finish("failed", (e is OperationCanceledException ? "Stopped before it finished." : $"{e.GetType().Name}: {e.Message}") + " The reports are as they were.");
        }
        onChange?.Invoke(Current!);
        return Current!;
    }

    RebuildProgress NewRun() => new(Guid.CreateVersion7(), time.GetUtcNow(), null, "running", null,
        options.Producers.Keys.Order(StringComparer.Ordinal).Select(p => new ProducerProgress(p, "waiting", null, 0, null)).ToList());

    /// <summary>
    /// Opens the next generation beside the live one and empties the inbox, in one transaction; returns its number.
    /// Facts of any other generation (a rebuild that failed or was stopped) are dropped first. Dead letters stay (they
    /// say what failed before), and so does the users replica: the sign-in gate lets in only popugs it knows, so the
    /// admin watching the rebuild stays in, and Auth's replayed snapshots are applied over it (a version already held
    /// is skipped).
    /// </summary>
    async Task<long> BeginAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The update takes the row's lock first: the batches in flight finish, the next ones feed the new generation too.
        await db.State.ExecuteUpdateAsync(s => s.SetProperty(x => x.LastGeneration, x => x.LastGeneration + 1).SetProperty(x => x.Building, x => x.LastGeneration + 1), ct);
        var state = await db.State.AsNoTracking().SingleAsync(ct);
        var building = state.Building!.Value;
        await db.DropGenerationsAsync([state.Live, building], allBut: true, ct);
        await db.Set<InboxMessage>().ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Rebuild: generation {Building} opened beside the live {Live}", building, state.Live);
        return building;
    }

    /// <summary>Makes <paramref name="generation"/> live and drops the old one; false when another rebuild has taken its place.</summary>
    async Task<bool> SwapAsync(long generation, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDb>();
        var old = (await db.State.AsNoTracking().SingleAsync(ct)).Live;
        var swapped = await db.State.Where(s => s.Building == generation)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Live, generation).SetProperty(x => x.Building, (long?)null), ct);
        if (swapped == 0) return false;
        log.LogInformation("Rebuild: generation {Live} is live; {Old} dropped", generation, old);
        // Nothing reads or feeds the old generation any more; a crash before this leaves rows the next rebuild drops.
        await db.DropGenerationsAsync([old], allBut: false, ct);
        return true;
    }

    /// <summary>Stops feeding <paramref name="generation"/> and drops it, unless another rebuild has taken its place.</summary>
    async Task AbandonAsync(long generation, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDb>();
        if (await db.State.Where(s => s.Building == generation).ExecuteUpdateAsync(s => s.SetProperty(x => x.Building, (long?)null), ct) > 0)
            await db.DropGenerationsAsync([generation], allBut: false, ct);
    }

    async Task TryAbandonAsync(long generation)
    {
        try
        {
            await AbandonAsync(generation, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The live generation is untouched either way; the next rebuild drops what is left of this one.
            log.LogWarning(e, "Rebuild: generation {Generation} could not be dropped", generation);
        }
    }

    async Task ReplayAsync(string producer, string? accessToken, Action<RebuildProgress>? onChange, CancellationToken ct)
    {
        Update(producer, p => p with { State = "replaying" }, onChange);
        long sent;
        try
        {
            using var client = http.CreateClient(OpsConsole.ClientName(producer));
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

    static Uri ReplayUri(string baseAddress) => new($"{baseAddress.TrimEnd('/')}/{OpsRoutes.Replay}");

    static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    sealed record ReplayAnswer(long Sent);
}
