using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Shop.Core.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string DefaultConnectionString = "Data Source=shop.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Apply migrations at start-up. Off where a migration job runs <c>migrate</c> before new pods:
    /// then a process refuses to start on a schema that is not current.
    /// </summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>A read replica further behind the primary than this is not read (<see cref="ReplicaMonitor"/>).</summary>
    public TimeSpan MaxReplicaLag { get; set; } = TimeSpan.FromSeconds(5);
}

public static class DatabaseSetup
{
    public const string SqliteMigrationsAssembly = "Shop.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Shop.Migrations.Postgres";

    /// <summary>
    /// The shop's DbContext on the provider named by <c>Database:Provider</c>, with the
    /// migrations of that provider; the schema is migrated at start-up by <see cref="DatabaseInitializer"/>.
    /// </summary>
    public static IServiceCollection AddShopDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration.GetSection(DatabaseOptions.Section).GetValue(nameof(DatabaseOptions.Provider), DatabaseProvider.Sqlite);
        var connectionString = configuration.GetConnectionString("Database") ?? DatabaseOptions.DefaultConnectionString;
        var replica = configuration.GetConnectionString(ReadReplicaSetup.ConnectionStringName);
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => o.MaxReplicaLag > TimeSpan.Zero, "Database:MaxReplicaLag must be above 0.")
            .Validate(_ => string.IsNullOrWhiteSpace(replica) || provider == DatabaseProvider.Postgres,
                $"ConnectionStrings:{ReadReplicaSetup.ConnectionStringName} is set, but read replicas need PostgreSQL: set Database:Provider=Postgres, or remove the replica's connection string.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CatalogWrites>();
        services.AddDbContextPool<ShopDbContext>((services, options) => Configure(options, provider, connectionString)
            .UseModel(CompiledModel(provider))
            .AddInterceptors(new CacheInvalidation(services.GetRequiredService<IFusionCache>(), services.GetRequiredService<CatalogWrites>())));
        services.AddSingleton<DatabaseInitializer>();
        services.AddHostedService(s => s.GetRequiredService<DatabaseInitializer>());
        return services;
    }

    /// <summary>
    /// The model of the provider's migrations assembly, compiled ahead of time by <c>scripts/compiled-model.sh</c>
    /// (<c>dotnet ef dbcontext optimize</c>): building the model from the configurations and conventions is
    /// most of a second of every start. Only the running shop uses it; design time (<see cref="Configure"/>,
    /// <c>dotnet ef migrations add</c>) builds the model from the configurations, which CompiledModelTests
    /// compares with this one, so a configuration change without a new compiled model fails the tests.
    /// Loaded by name like the migrations are: this assembly cannot reference the migrations assemblies.
    /// </summary>
    public static IModel CompiledModel(DatabaseProvider provider)
    {
        var assembly = provider == DatabaseProvider.Postgres ? PostgresMigrationsAssembly : SqliteMigrationsAssembly;
        var type = Type.GetType($"{assembly}.CompiledModel.ShopDbContextModel, {assembly}", throwOnError: true)!;
        return (IModel)type.GetProperty("Instance")!.GetValue(null)!;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                options.UseNpgsql(Tuned(connectionString), o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            case DatabaseProvider.Sqlite:
                options.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly))
                    .AddInterceptors(SqliteBusyTimeout.Instance);
                break;
            default:
                throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                    [$"Database:Provider must be Sqlite or Postgres, not '{provider}'."]);
        }

        return options.UseSnakeCaseNamingConvention();
    }

    /// <summary>
    /// A PostgreSQL connection string with what the shop's statements want, unless it says otherwise:
    /// statements prepared on the server once a connection has run them a few times (Npgsql's automatic
    /// preparation: PostgreSQL then parses and plans an order's or a list's SQL once per connection, not
    /// on every request), and no session reset when a connection goes back to the pool (the shop keeps
    /// no session state on these connections: no SET, no session lock, no temporary table). Behind a
    /// pooler in transaction mode that cannot keep prepared statements, say <c>Max Auto Prepare=0</c>.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var (setsPrepare, setsReset) = (Says("Max Auto Prepare"), Says("No Reset On Close"));
        if (!setsPrepare)
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!setsReset)
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;

        // Whether the string sets the keyword (or one of its aliases), to any value.
        bool Says(string keyword) =>
            builder.Keys.Cast<string>().Any(k => string.Equals(Normalize(k), Normalize(keyword), StringComparison.OrdinalIgnoreCase));

        static string Normalize(string keyword) => keyword.Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>True when a write failed on a unique index: a concurrent insert of the same key won.</summary>
    public static bool IsUniqueViolation(this Exception exception) => Unwrap(exception) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>True when a write failed on a foreign key: a row it pointed at (or that pointed at it) exists or changed.</summary>
    public static bool IsForeignKeyViolation(this Exception exception) => Unwrap(exception) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode == 787,
        _ => false,
    };

    /// <summary>
    /// Starts a transaction unless the caller already has one: work that is sometimes a step of a
    /// larger change (an order move inside a payment) commits with the larger change. Only the
    /// owner commits; disposing a joined transaction leaves it to the caller.
    /// </summary>
    public static async Task<OwnedTransaction> BeginOrJoinTransactionAsync(
        this Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database, CancellationToken cancellationToken) =>
        new(database.CurrentTransaction is null ? await database.BeginTransactionAsync(cancellationToken) : null);

    // SaveChanges wraps the provider's exception in a DbUpdateException; ExecuteUpdate/Delete do not.
    private static Exception? Unwrap(Exception exception) => exception is DbUpdateException ? exception.InnerException : exception;
}

/// <summary>A transaction this code began (<see cref="IsOwner"/>), or the caller's, which it only joined.</summary>
public sealed class OwnedTransaction(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? owned) : IAsyncDisposable
{
    public bool IsOwner => owned is not null;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// Makes SQLite itself wait for the write lock (PRAGMA busy_timeout, backing off from 1 ms),
/// instead of failing at once and leaving Microsoft.Data.Sqlite to retry every 150 ms: under
/// concurrent writes those 150 ms steps were most of the tail latency.
/// </summary>
internal sealed class SqliteBusyTimeout : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
