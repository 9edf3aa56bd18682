using System.Diagnostics;
using System.Net.Sockets;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// A private Redis on loopback (no persistence) that a test can kill with SIGKILL and start again on
/// the same port, as when a Redis server crashes and is restarted by its supervisor, or hang and resume.
/// </summary>
public sealed class RedisNode : IAsyncDisposable
{
    private Process? _server;

    private RedisNode() => Port = Loopback.FreePort();

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisNode> StartAsync()
    {
        var node = new RedisNode();
        await node.StartAgainAsync();
        return node;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server", ["--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server (apt-get install redis-server).");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await Eventually.Until($"Redis on port {Port} to accept connections", AcceptsAsync, accepts => accepts, TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL: no shutdown, connections dropped mid-command.</summary>
    public void Kill()
    {
        _server?.Kill();
        _server?.WaitForExit(10_000);
    }

    /// <summary>SIGSTOP: the server hangs, its connections stay open, and commands get no answer until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: a paused server answers again, the commands it was sent first.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _server!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>The keys in the server that contain <paramref name="fragment"/> (SCAN, through redis-cli).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string fragment)
    {
        var scan = new ProcessStartInfo("redis-cli", ["-p", $"{Port}", "--scan", "--pattern", $"*{fragment}*"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var cli = Process.Start(scan) ?? throw new InvalidOperationException("Could not start redis-cli.");
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            Kill(); // SIGKILL ends a paused (SIGSTOP) server too
        }

        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
