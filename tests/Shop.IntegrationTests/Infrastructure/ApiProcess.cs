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
    public static ProcessStartInfo StartInfo(string assembly, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var start = new ProcessStartInfo("dotnet", [assembly])
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

    /// <summary>Starts the API and waits for it to exit; a process still running after the timeout is killed and reported.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingExitAsync(IDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = StartInfo(ApiAssembly, Path.GetTempPath(), environment.Prepend(new KeyValuePair<string, string>("ASPNETCORE_URLS", "http://127.0.0.1:0")));
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
            throw new Xunit.Sdk.XunitException($"The API did not exit within {timeout}: it started when it should have refused.\n{await stdout}\n{await stderr}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
