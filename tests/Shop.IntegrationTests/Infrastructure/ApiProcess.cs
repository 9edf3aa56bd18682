using System.Diagnostics;
using System.Text;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the built API as a real process, for start-up behaviour that an in-memory test host
/// cannot show faithfully (a refusal to start, its exit code and message).
/// </summary>
public static class ApiProcess
{
    public static string ApiAssembly
    {
        get
        {
            // tests/Shop.IntegrationTests/bin/<Configuration>/net10.0/ -> src/Shop.Api/bin/<Configuration>/net10.0/
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testBin.Name;
            var configuration = testBin.Parent!.Name;
            var root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "Shop.Api", "bin", configuration, framework, "Shop.Api.dll");
        }
    }

    /// <summary>How the tests run a built assembly: <c>dotnet x.dll</c>, output captured, these settings over the inherited environment.</summary>
    public static ProcessStartInfo StartInfo(string assembly, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [assembly, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>Starts the API (or one of its commands, with <paramref name="args"/>) and waits for it to exit; a process still running after the timeout is killed and reported.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingExitAsync(IDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var start = StartInfo(ApiAssembly, Path.GetTempPath(), environment.Prepend(new KeyValuePair<string, string>("ASPNETCORE_URLS", "http://127.0.0.1:0")), args);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API process.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new Xunit.Sdk.XunitException($"The API did not exit within {timeout}: it started when it should have refused, or the command hung.\n{await stdout}\n{await stderr}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}

/// <summary>The built API running as a real process in a directory of its own, until disposed.</summary>
public sealed class RunningApi : IAsyncDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("shop-api-").FullName;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; } = Loopback.FreePort();

    /// <summary>Starts the API with these settings (and nothing else: its database is a new shop.db in its directory) and waits until it is ready (60 s by default).</summary>
    public static async Task<RunningApi> StartAsync(IDictionary<string, string> settings, TimeSpan? readyTimeout = null)
    {
        var api = new RunningApi();
        var environment = new Dictionary<string, string>(settings) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{api.Port}" };
        api._process = Process.Start(ApiProcess.StartInfo(ApiProcess.ApiAssembly, api._directory, environment))
            ?? throw new InvalidOperationException("Could not start the API process.");
        api._process.OutputDataReceived += (_, e) => { lock (api._output) { api._output.AppendLine(e.Data); } };
        api._process.ErrorDataReceived += (_, e) => { lock (api._output) { api._output.AppendLine(e.Data); } };
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();

        try
        {
            await Loopback.WaitUntilReadyAsync(api.BaseAddress, api._process, () => api.Output, readyTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The process's working directory and content root.</summary>
    public string Directory => _directory;

    /// <summary>What explains a failed request: <see cref="Output"/> from its last Error log line on, or its last few KiB.</summary>
    public string OutputTail
    {
        get
        {
            var output = Output;
            var error = output.LastIndexOf("\"LogLevel\":\"Error\"", StringComparison.Ordinal);
            var start = error < 0 ? Math.Max(0, output.Length - 4000) : output.LastIndexOf('\n', error) + 1;
            return output[start..Math.Min(output.Length, start + 8000)];
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A client whose 5xx answers fail the test.</summary>
    public HttpClient Client() => new(new FailOnServerErrorHandler(() => OutputTail) { InnerHandler = new HttpClientHandler() }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

}
