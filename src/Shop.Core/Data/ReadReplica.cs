using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Shop.Core.Caching;
using Shop.Core.Common;
using Shop.Core.Messaging;

namespace Shop.Core.Data;

/// <summary>
/// Where the public catalog's reads run: the primary, or with <c>ConnectionStrings:DatabaseReadReplica</c>
/// a PostgreSQL standby while <see cref="ReplicaMonitor"/> finds it usable. The catalog's read
/// services take this from DI and never know which one answered. <paramref name="freshAfter"/> names
/// what is read (a cache tag, <see cref="CatalogWrites"/>): a standby that has not replayed the last
/// write to it is not read for it, so that a cache never keeps what a write already replaced.
/// </summary>
public interface ICatalogReads
{
    Task<T> QueryAsync<T>(string freshAfter, Func<ShopDbContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken);
}

/// <summary>Every read on the primary, on a DbContext of its own (<see cref="CacheQueries"/>): without a replica, or when it may not answer.</summary>
internal sealed class PrimaryCatalogReads(IServiceScopeFactory scopes) : ICatalogReads
{
    public async Task<T> QueryAsync<T>(string freshAfter, Func<ShopDbContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        var answer = await scopes.QueryAsync(query, cancellationToken);
        ShopMetrics.CatalogReads.Add(1, new KeyValuePair<string, object?>("source", "primary"));
        return answer;
    }
}

/// <summary>
/// Reads on the standby through a pooled, no-tracking DbContext of their own while it is usable and has
/// replayed the last write to what is read; otherwise, or when the standby fails mid-query (down,
/// restarting, a query cancelled by a conflict with recovery), on the primary: a reader never sees an error.
/// </summary>
internal sealed partial class ReplicaCatalogReads(
    IServiceScopeFactory scopes, ReplicaMonitor monitor, CatalogWrites writes, ILogger<ReplicaCatalogReads> logger) : ICatalogReads
{
    private readonly PrimaryCatalogReads _primary = new(scopes);

    public async Task<T> QueryAsync<T>(string freshAfter, Func<ShopDbContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        if (monitor.CanRead(writes.LastWrite(freshAfter)))
        {
            try
            {
                await using var replica = await monitor.Contexts.CreateDbContextAsync(cancellationToken);
                var result = await query(replica, cancellationToken);
                ShopMetrics.CatalogReads.Add(1, new KeyValuePair<string, object?>("source", "replica"));
                return result;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is NpgsqlException || e.InnerException is NpgsqlException))
            {
                monitor.Failed(e);
                LogReplicaFailed(logger, e.Message);
            }
        }

        return await _primary.QueryAsync(freshAfter, query, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A catalog read failed on the read replica and was answered by the primary: {Reason}")]
    private static partial void LogReplicaFailed(ILogger logger, string reason);
}

/// <summary>
/// When each cache tag was last written on this instance (<see cref="CacheInvalidation"/> notes every
/// eviction), kept as long as a usable standby could still lack it: <see cref="DatabaseOptions.MaxReplicaLag"/>.
/// A product's write also counts for <see cref="AnyProduct"/>, which reads by slug name.
/// </summary>
public sealed class CatalogWrites(TimeProvider clock, IOptions<DatabaseOptions> options)
{
    public const string AnyProduct = "product:*";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastWrites = new(StringComparer.Ordinal);
    private long _nextPruneTicks;

    public void Note(IEnumerable<string> tags)
    {
        var now = clock.GetUtcNow();
        foreach (var tag in tags)
        {
            _lastWrites[tag] = now;
            if (tag.StartsWith("product:", StringComparison.Ordinal))
            {
                _lastWrites[AnyProduct] = now;
            }
        }

        if (now.UtcTicks > Interlocked.Read(ref _nextPruneTicks))
        {
            Interlocked.Exchange(ref _nextPruneTicks, (now + options.Value.MaxReplicaLag).UtcTicks);
            var forgotten = now - options.Value.MaxReplicaLag - TimeSpan.FromSeconds(1);
            foreach (var (tag, at) in _lastWrites)
            {
                if (at < forgotten)
                {
                    _lastWrites.TryRemove(new KeyValuePair<string, DateTimeOffset>(tag, at));
                }
            }
        }
    }

    public DateTimeOffset LastWrite(string tag) => _lastWrites.TryGetValue(tag, out var at) ? at : DateTimeOffset.MinValue;
}

/// <summary>What the monitor last found: whether the standby may be read, and since when it has everything the primary had.</summary>
public sealed record ReplicaStatus(bool Usable, DateTimeOffset FreshAsOf, string Description);

/// <summary>
/// How far the standby is behind, from WAL positions: every check samples the primary's current
/// position, and the standby is fresh as of the newest sample its replay has reached. An idle primary
/// writes nothing, so its standby stays fresh (a replay timestamp would look old). A standby that does
/// not answer, is no longer in recovery (promoted: it stopped following this primary) or has not reached
/// any sample within the bound is not usable.
/// </summary>
public static class ReplicaLag
{
    public static ReplicaStatus Assess(IReadOnlyList<(DateTimeOffset At, NpgsqlLogSequenceNumber Position)> primarySamples,
        bool inRecovery, NpgsqlLogSequenceNumber? replayed, DateTimeOffset now, TimeSpan maxLag)
    {
        if (!inRecovery)
        {
            return new(false, DateTimeOffset.MinValue, "not a standby (promoted?): it no longer follows the primary");
        }

        DateTimeOffset? fresh = null;
        if (replayed is { } position)
        {
            foreach (var (at, primary) in primarySamples)
            {
                if (primary <= position && (fresh is null || at > fresh))
                {
                    fresh = at;
                }
            }
        }

        if (fresh is not { } freshAsOf)
        {
            return new(false, DateTimeOffset.MinValue, $"more than {maxLag} behind the primary");
        }

        var lag = now - freshAsOf;
        return lag <= maxLag
            ? new(true, freshAsOf, $"in use, {lag.TotalMilliseconds:F0} ms behind the primary at most")
            : new(false, freshAsOf, $"{lag.TotalSeconds:F1} s behind the primary (Database:MaxReplicaLag is {maxLag})");
    }
}

/// <summary>
/// Checks the standby every quarter of <see cref="DatabaseOptions.MaxReplicaLag"/> (at most every
/// second): one query on the primary, one on the standby. Requests read <see cref="Status"/>, never a query.
/// </summary>
public sealed partial class ReplicaMonitor : BackgroundService
{
    private readonly NpgsqlDataSource _primary;
    private readonly NpgsqlDataSource _replica;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxLag;
    private readonly ILogger<ReplicaMonitor> _logger;
    private readonly Queue<(DateTimeOffset At, NpgsqlLogSequenceNumber Position)> _samples = new();
    private volatile ReplicaStatus _status = new(false, DateTimeOffset.MinValue, "not checked yet");

    public ReplicaMonitor(string primaryConnectionString, string replicaConnectionString, TimeProvider clock, IOptions<DatabaseOptions> options, ILogger<ReplicaMonitor> logger)
    {
        _primary = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(primaryConnectionString) { MaxPoolSize = 2 });
        // Npgsql's multi-host data source: one host or several, load-balanced if the string asks, standbys first.
        _replica = new NpgsqlDataSourceBuilder(DatabaseSetup.Tuned(replicaConnectionString)).BuildMultiHost().WithTargetSession(TargetSessionAttributes.PreferStandby);
        _clock = clock;
        _maxLag = options.Value.MaxReplicaLag;
        _logger = logger;
        Contexts = new PooledDbContextFactory<ShopDbContext>(new DbContextOptionsBuilder<ShopDbContext>()
            .UseNpgsql(_replica, o => o.MigrationsAssembly(DatabaseSetup.PostgresMigrationsAssembly))
            .UseSnakeCaseNamingConvention()
            .UseModel(DatabaseSetup.CompiledModel(DatabaseProvider.Postgres))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);
    }

    public ReplicaStatus Status => _status;

    /// <summary>No-tracking DbContexts on the standby.</summary>
    public IDbContextFactory<ShopDbContext> Contexts { get; }

    private TimeSpan Interval => TimeSpan.FromTicks(Math.Min(_maxLag.Ticks / 4, TimeSpan.TicksPerSecond));

    /// <summary>May the standby answer a read of something last written at <paramref name="lastWrite"/>?</summary>
    public bool CanRead(DateTimeOffset lastWrite) => _status is { Usable: true } status && status.FreshAsOf > lastWrite;

    /// <summary>A read failed on the standby: not used again before the next check finds it well.</summary>
    public void Failed(Exception e) => _status = new(false, _status.FreshAsOf, $"a read failed: {e.Message}");

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        try
        {
            await using (var current = _primary.CreateCommand("SELECT pg_current_wal_lsn()"))
            {
                _samples.Enqueue((now, (NpgsqlLogSequenceNumber)(await current.ExecuteScalarAsync(cancellationToken))!));
            }

            // Two bounds of samples: enough to tell "lagging" from "behind every sample".
            while (_samples.Count > 2 && _samples.Peek().At < now - 2 * _maxLag)
            {
                _samples.Dequeue();
            }

            await using var replay = _replica.CreateCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()");
            replay.CommandTimeout = Math.Max(1, (int)Interval.TotalSeconds);
            await using var reader = await replay.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var inRecovery = reader.GetBoolean(0);
            NpgsqlLogSequenceNumber? replayed = reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1);
            Report(ReplicaLag.Assess([.. _samples], inRecovery, replayed, now, _maxLag));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            Report(new(false, DateTimeOffset.MinValue, $"does not answer: {e.Message}"));
        }
    }

    private void Report(ReplicaStatus status)
    {
        if (status.Usable != _status.Usable)
        {
            LogChanged(_logger, status.Usable ? "now reads the catalog" : "is not read", status.Description);
        }

        _status = status;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _clock);
        do
        {
            await CheckAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _primary.Dispose();
        _replica.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read replica {Change}: {Description}")]
    private static partial void LogChanged(ILogger logger, string change, string description);
}

public static class ReadReplicaSetup
{
    public const string ConnectionStringName = "DatabaseReadReplica";

    /// <summary>The public catalog's reads (<see cref="ICatalogReads"/>): on the primary, or on the configured standby while it is usable.</summary>
    public static IServiceCollection AddShopCatalogReads(this IServiceCollection services, IConfiguration configuration)
    {
        // With SQLite a configured replica stops start-up (DatabaseOptions' validation names the setting).
        var provider = configuration.GetSection(DatabaseOptions.Section).GetValue(nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite);
        if (configuration.GetConnectionString(ConnectionStringName) is not { Length: > 0 } replica || provider != DatabaseProvider.Postgres)
        {
            services.AddSingleton<ICatalogReads, PrimaryCatalogReads>();
            return services;
        }

        var primary = configuration.GetConnectionString("Database") ?? DatabaseOptions.DefaultConnectionString;
        services.AddSingleton(s => new ReplicaMonitor(primary, replica, s.GetRequiredService<TimeProvider>(),
            s.GetRequiredService<IOptions<DatabaseOptions>>(), s.GetRequiredService<ILogger<ReplicaMonitor>>()));
        services.AddHostedService(s => s.GetRequiredService<ReplicaMonitor>());
        services.AddSingleton<ICatalogReads, ReplicaCatalogReads>();
        // A replica not read (down, lagging, promoted) costs the primary more work, nothing else: degraded.
        services.AddHealthChecks().AddCheck<ReplicaHealthCheck>("database-replica", HealthStatus.Degraded, tags: [Health.ReadyTag]);
        return services;
    }
}

/// <summary>Healthy while the catalog reads the replica (<see cref="ReplicaMonitor"/>'s last check), degraded otherwise.</summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(monitor.Status is { Usable: true } status
            ? HealthCheckResult.Healthy(status.Description)
            : new HealthCheckResult(context.Registration.FailureStatus, $"Catalog reads go to the primary; the replica: {monitor.Status.Description}."));
}
