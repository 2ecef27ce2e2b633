namespace Ates.LocalServers;

/// <summary>One lifecycle operation of a server at a time: <c>using var _ = await gate.EnterAsync();</c>.</summary>
static class SerialGate
{
    public static async Task<Releaser> EnterAsync(this SemaphoreSlim gate, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return new Releaser(gate);
    }

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
