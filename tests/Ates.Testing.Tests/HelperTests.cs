using System.Net;
using System.Net.Sockets;
using Ates.LocalServers;

namespace Ates.Testing.Tests;

public sealed class EventuallyTests
{
    [Fact]
    public async Task Returns_as_soon_as_the_condition_holds()
    {
        var calls = 0;
        await Eventually.UntilAsync(() => Task.FromResult(++calls >= 3), TimeSpan.FromSeconds(5), "three calls", TestContext.Current.CancellationToken);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Times_out_with_the_reason_in_the_message()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(
            () => Eventually.UntilAsync(() => Task.FromResult(false), TimeSpan.FromMilliseconds(200), "the projection should catch up", TestContext.Current.CancellationToken));
        Assert.Contains("the projection should catch up", e.Message);
    }

    [Fact]
    public async Task Exceptions_count_as_not_yet_and_the_last_one_is_kept()
    {
        var calls = 0;
        await Eventually.UntilAsync(() => ++calls < 3 ? throw new InvalidOperationException("not yet") : true, TimeSpan.FromSeconds(5), "recovers", TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<TimeoutException>(
            () => Eventually.UntilAsync(new Func<bool>(() => throw new InvalidOperationException("still broken")), TimeSpan.FromMilliseconds(150), "never", TestContext.Current.CancellationToken));
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void Sync_overload_polls_too()
    {
        var calls = 0;
        Eventually.Until(() => ++calls >= 2, TimeSpan.FromSeconds(5), "two calls");
        Assert.Throws<TimeoutException>(() => Eventually.Until(() => false, TimeSpan.FromMilliseconds(100), "never"));
    }
}

public sealed class FreePortTests
{
    [Fact]
    public void Ports_are_distinct_and_bindable_on_loopback()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }
}

public sealed class ServerBinariesTests
{
    [Fact]
    public void Missing_RabbitMQ_says_what_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("ates-empty-").FullName;
        try
        {
            var e = Assert.Throws<ServerNotInstalledException>(() => ServerBinaries.FindRabbitMq([empty], [empty]));
            Assert.Contains("apt-get install -y rabbitmq-server", e.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Missing_PostgreSQL_says_what_to_install()
    {
        var e = Assert.Throws<ServerNotInstalledException>(() => ServerBinaries.FindPostgres([]));
        Assert.Contains("apt-get install -y postgresql", e.Message);
    }

    [Fact]
    public void Newest_PostgreSQL_version_wins()
    {
        var root = Directory.CreateTempSubdirectory("ates-pgversions-").FullName;
        try
        {
            foreach (var v in new[] { "9.6", "15", "13" }) Directory.CreateDirectory(Path.Combine(root, v, "bin"));
            Assert.Equal(
                [Path.Combine(root, "15", "bin"), Path.Combine(root, "13", "bin"), Path.Combine(root, "9.6", "bin")],
                ServerBinaries.NewestFirst(root, "", "bin"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
