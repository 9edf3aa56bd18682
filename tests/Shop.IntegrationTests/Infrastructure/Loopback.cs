using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>What the tests that run real servers on loopback share.</summary>
public static class Loopback
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Polls /health/ready until it answers 200; fails with <paramref name="logs"/> when the process exits first or the timeout passes.</summary>
    public static async Task WaitUntilReadyAsync(Uri baseAddress, Process process, Func<string> logs, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until($"{baseAddress}health/ready to answer 200", async () =>
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"The process exited with {process.ExitCode} before it was ready:\n{logs()}");
            }

            try
            {
                return (await client.GetAsync("/health/ready")).StatusCode.ToString();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the probe's 5 s: ask again until the deadline.
                return e.Message;
            }
        }, answer => answer == nameof(HttpStatusCode.OK), timeout, answer => $"{answer}\n{logs()}");
    }

    /// <summary>
    /// An address of the loopback range (127.0.0.0/8) for a client of its own: a real API process sees each
    /// such client as a different remote address, as it would distinct clients behind it in production.
    /// </summary>
    public static IPAddress RandomClientAddress()
    {
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(3);
        return new IPAddress([127, bytes[0], bytes[1], (byte)Math.Max((int)bytes[2], 2)]);
    }

    /// <summary>A client of <paramref name="baseAddress"/> whose connections come from <paramref name="from"/>; any 5xx answer fails the test.</summary>
    public static HttpClient ClientFrom(IPAddress from, RunningApi api)
    {
        var sockets = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(new FailOnServerErrorHandler(() => api.OutputTail) { InnerHandler = sockets }) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The value of one series in Prometheus text (<c>name{labels}</c> exactly as exported), 0 when absent.</summary>
    public static double MetricValue(string prometheusText, string series) =>
        prometheusText.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
}
