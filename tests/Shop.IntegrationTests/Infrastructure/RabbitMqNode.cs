using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// A private RabbitMQ node on loopback that a test can stop and start again, keeping its data
/// directory (durable queues and persistent messages survive, as on a real restart). Started the
/// way scripts/lib/services.sh starts the suite's shared node.
/// </summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shop-rabbitmq-").FullName;
    private readonly int _distributionPort = Loopback.FreePort();
    private Process? _launcher;

    private RabbitMqNode() => Port = Loopback.FreePort();

    public int Port { get; }
    public string NodeName => $"shoptest{Port}@localhost";
    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public static async Task<RabbitMqNode> StartAsync()
    {
        var node = new RabbitMqNode();
        // The Debian package runs the node as the rabbitmq user, which must be able to write here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(node._directory, (UnixFileMode)0x1FF);
        }

        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the node (again, after <see cref="StopAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        _launcher = Process.Start(start) ?? throw new InvalidOperationException("Could not start rabbitmq-server.");
        _launcher.OutputDataReceived += (_, _) => { };
        _launcher.ErrorDataReceived += (_, _) => { };
        _launcher.BeginOutputReadLine();
        _launcher.BeginErrorReadLine();
        var launcher = _launcher;
        await Eventually.Until($"RabbitMQ node {NodeName} to accept connections", StartedAsync, started => started, TimeSpan.FromSeconds(90),
            _ => $"nothing listens on port {Port} (see {_directory}/log)");

        async Task<bool> StartedAsync()
        {
            if (await AcceptsAsync())
            {
                return true;
            }

            // An exited launcher will not start the node: fail now rather than at the timeout.
            return launcher.HasExited ? throw new Xunit.Sdk.XunitException($"RabbitMQ node {NodeName} did not start (see {_directory}/log).") : false;
        }
    }

    /// <summary>Stops the node the way a service manager does (SIGTERM) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        var pid = ServerPid();
        if (pid is not null)
        {
            using var kill = Process.Start("kill", ["-TERM", pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        await Eventually.Until($"RabbitMQ node {NodeName} to stop", async () => (Accepts: await AcceptsAsync(), LauncherRunning: _launcher is { HasExited: false }),
            node => node is { Accepts: false, LauncherRunning: false }, TimeSpan.FromSeconds(60),
            node => $"accepting connections: {node.Accepts}; rabbitmq-server still running: {node.LauncherRunning}");

        File.Delete(Path.Combine(_directory, "rabbit.pid"));
    }

    /// <summary>Runs rabbitmqctl against this node, e.g. "list_exchanges name type".</summary>
    public async Task<string> ControlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl", ["-n", NodeName, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var control = Process.Start(start) ?? throw new InvalidOperationException("Could not run rabbitmqctl.");
        var output = await control.StandardOutput.ReadToEndAsync();
        var error = await control.StandardError.ReadToEndAsync();
        await control.WaitForExitAsync();
        return output + error;
    }

    public async ValueTask DisposeAsync()
    {
        if (ServerPid() is { } pid)
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        if (_launcher is { HasExited: false })
        {
            _launcher.Kill(entireProcessTree: true);
            await _launcher.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Server => File.Exists("/usr/sbin/rabbitmq-server") ? "/usr/sbin/rabbitmq-server" : "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private Dictionary<string, string> Environment() => new()
    {
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log"),
        ["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(_directory, "feature_flags"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins"),
        ["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "rabbit.pid"),
        ["RABBITMQ_GENERATED_CONFIG_DIR"] = Path.Combine(_directory, "config"),
        ["RABBITMQ_SCHEMA_DIR"] = Path.Combine(_directory, "schema"),
        ["RABBITMQ_QUORUM_DIR"] = Path.Combine(_directory, "quorum"),
        ["RABBITMQ_STREAM_DIR"] = Path.Combine(_directory, "stream"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq"),
    };

    private int? ServerPid()
    {
        var file = Path.Combine(_directory, "rabbit.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
    }

    private async Task<bool> AcceptsAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

}
