using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Core.Common;

/// <summary>
/// A shutdown that ends within a known time, for the API and the worker alike. On SIGTERM the host
/// stops its services one by one and waits for each as long as it takes: the shutdown timeout only
/// cancels the token it hands them, and a service that does not watch it (Wolverine's StopAsync
/// takes none into account) can hold the process past any orchestrator's grace period, after which
/// it is killed anyway. So: a short shutdown timeout (<c>shutdownTimeoutSeconds</c>, the standard
/// host setting, 5 s by default here), and a watchdog that ends the process a moment after it if
/// the stop has not finished. Nothing is lost by that: messages in flight stay in the durable inbox
/// or unacknowledged on RabbitMQ, and another node (or this one, restarted) handles them.
/// </summary>
public static class BoundedShutdown
{
    public const string TimeoutKey = "shutdownTimeoutSeconds";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long after the timeout the watchdog lets the stop finish before it ends the process.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddShopBoundedShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[TimeoutKey] is null)
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = DefaultTimeout);
        }

        services.AddHostedService<ShutdownWatchdog>();
        return services;
    }
}

/// <summary>
/// Armed by the stop signal itself (SIGTERM, SIGINT), not by the host stopping: a host stopped in
/// process (tests, a maintenance command) never ends the process.
/// </summary>
internal sealed partial class ShutdownWatchdog(IOptions<HostOptions> options, ILoggerFactory loggers, ILogger<ShutdownWatchdog> logger)
    : IHostedService, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private Timer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The host's own handler (ConsoleLifetime) begins the stop; this one only starts the clock, and
        // is never disarmed: disposing the services after the stop can hang as well.
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, _ => Arm()));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Arm()
    {
        lock (_signals)
        {
            _timer ??= new Timer(_ => Expire(), null, Limit, Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan Limit => options.Value.ShutdownTimeout + BoundedShutdown.Grace;

    private void Expire()
    {
        LogExpired(logger, Limit.TotalSeconds);
        loggers.Dispose(); // flushes the console logger's queue
        Environment.Exit(1);
    }

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "The shutdown did not finish within {Seconds} s of the stop signal: exiting now. Messages in flight are not lost: another node, or this one restarted, handles them.")]
    private static partial void LogExpired(ILogger logger, double seconds);
}
