using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Shop.Worker;

public static class ManagementPort
{
    /// <summary>
    /// Kestrel on <paramref name="port"/> of every interface (a pod's probes and Prometheus reach it by
    /// the pod's address), and on nothing else whatever ASPNETCORE_URLS says; 0 serves no HTTP at all.
    /// </summary>
    public static IWebHostBuilder UseManagementPort(this IWebHostBuilder webHost, int port) => port switch
    {
        0 => webHost.ConfigureServices(s => s.AddSingleton<IServer, NoServer>()),
        > 0 and <= ushort.MaxValue => webHost.UseUrls().ConfigureKestrel(k => k.ListenAnyIP(port)),
        _ => throw new InvalidOperationException($"Metrics:Port must be a port number (1 to 65535), or 0 for none, not {port}."),
    };

    /// <summary>The server of a worker told to serve no HTTP: it starts nothing.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
