using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Shop.Core.Catalog;
using Shop.Core.Users;

namespace Shop.Core.Data;

/// <summary>
/// Brings the database to this build's schema before anything else starts (IHostedLifecycleService.StartingAsync
/// runs before every hosted service and before Kestrel listens), or with <c>Database:MigrateOnStartup=false</c>
/// checks that it is; then makes sure the configured admin exists and, when asked, seeds the demo catalog.
/// </summary>
public sealed partial class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, ILogger<DatabaseInitializer> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();

        if (options.Value.MigrateOnStartup)
        {
            await MigrateAsync(db, cancellationToken);
        }
        else
        {
            await RefuseStaleSchemaAsync(db, cancellationToken);
        }

        // The API bootstraps the admin and the demo catalog; a worker host only migrates.
        var admin = scope.ServiceProvider.GetService<AdminBootstrapper>();
        var seeder = scope.ServiceProvider.GetService<CatalogSeeder>();
        if (admin is null && seeder is null)
        {
            return;
        }

        // Replicas starting together would each find an empty catalog and seed it (the second one then dies
        // on a unique slug; CommandTests proves it). EF Core's migration lock covers Migrate only, so on
        // PostgreSQL this work runs in a transaction holding an advisory lock: the next replica waits for it,
        // then finds the catalog and the admin there. (SQLite serves one process.)
        await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (transaction is not null)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({StartupDataLock})", cancellationToken);
        }

        if (admin is not null)
        {
            await admin.EnsureAdminAsync(cancellationToken);
        }

        if (seeder is not null)
        {
            await seeder.SeedAsync(cancellationToken);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static readonly TimeSpan MigrationStatementTimeout = TimeSpan.FromHours(1);

    /// <summary>The advisory lock key of the start-up data work ("shop seed" in ASCII).</summary>
    private const long StartupDataLock = 0x73686F7020736565;

    /// <summary>The <c>migrate</c> command: applies the migrations this build has and the database lacks.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await MigrateAsync(scope.ServiceProvider.GetRequiredService<ShopDbContext>(), cancellationToken);
    }

    private async Task MigrateAsync(ShopDbContext db, CancellationToken cancellationToken)
    {
        // On a current schema (the usual start) Migrate is skipped with its fixed costs: the migration
        // lock, the history table check, and a diff of the migrations' model snapshot against this
        // build's model (a property of the build, not of the database: MigrationTests checks it).
        // When something is missing, Migrate takes the lock and reads the history again itself.
        if ((await RefuseNewerSchemaAsync(db, cancellationToken)).Count > 0)
        {
            await using var run = await MigrationRunLock.AcquireAsync(db, cancellationToken);
            // A migration's statement may rewrite every product (ProductsMaxPrice at a million products:
            // longer than the 30 s a request's statement gets); the lock keeps other instances waiting meanwhile.
            db.Database.SetCommandTimeout(MigrationStatementTimeout);
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers run while one writer commits; it is a property of the file and persists.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        LogMigrated(logger, db.Database.ProviderName ?? "?");
    }

    private static async Task RefuseStaleSchemaAsync(ShopDbContext db, CancellationToken cancellationToken)
    {
        var pending = await RefuseNewerSchemaAsync(db, cancellationToken);
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start: Database:MigrateOnStartup is false and the database lacks migration(s) " +
                $"{string.Join(", ", pending)}. Run 'dotnet Shop.Api.dll migrate' with the same configuration first.");
        }
    }

    /// <summary>Refuses a database with migrations this build does not know; returns the ones it lacks.</summary>
    private static async Task<IReadOnlyList<string>> RefuseNewerSchemaAsync(ShopDbContext db, CancellationToken cancellationToken)
    {
        var known = db.Database.GetMigrations().ToList();
        var applied = await AppliedMigrationsAsync(db.Database, cancellationToken);
        var unknown = applied.Where(m => !known.Contains(m, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to start: the database schema is newer than this build of Shop. It has migration(s) " +
                $"{string.Join(", ", unknown)} that this version does not know. Run the newer version of Shop " +
                "against this database, or point ConnectionStrings:Database at a database of this version.");
        }

        return known.Where(m => !applied.Contains(m)).ToList();
    }

    /// <summary>
    /// The migrations the database's history table lists, as EF Core's GetAppliedMigrationsAsync reads them,
    /// with two plain statements: EF Core first builds a model of its history table from its conventions,
    /// about a tenth of a second of every start. The table and column are EF Core's, as the shop's
    /// snake-case naming has them (every start reads them; CommandTests and PlatformTests start on an
    /// empty database, a stale one and one with a migration from the future).
    /// </summary>
    private static async Task<HashSet<string>> AppliedMigrationsAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        // As EF Core does: no database yet (a new SQLite file, a PostgreSQL database Migrate will create) is none applied.
        if (!await database.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
        {
            return [];
        }

        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = database.GetDbConnection().CreateCommand();
            command.Transaction = database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = database.IsNpgsql()
                ? $"SELECT to_regclass('\"{HistoryTable}\"') IS NOT NULL"
                : $"SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}')";
            if (!Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture))
            {
                return [];
            }

            command.CommandText = $"SELECT migration_id FROM \"{HistoryTable}\"";
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }

            return applied;
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }

    private const string HistoryTable = HistoryRepository.DefaultTableName;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is current ({Provider})")]
    private static partial void LogMigrated(ILogger logger, string provider);
}

/// <summary>
/// One migration run at a time per PostgreSQL database, across processes. EF Core's own migration lock
/// is not enough there: it commits after each migration and takes the lock again without reading the
/// history again, so a second process can apply the next migration in between and the first then
/// applies it a second time ("relation categories already exists": CommandTests starts migrators and
/// replicas together on an empty database). A session advisory lock, held on a connection of its own
/// for the whole run, makes the next process wait and then find nothing left to apply. SQLite needs
/// none: EF Core's lock table there is held for the whole run.
/// </summary>
internal sealed class MigrationRunLock : IAsyncDisposable
{
    /// <summary>"shop migr" in ASCII.</summary>
    private const long Key = 0x73686F706D696772;

    private readonly NpgsqlConnection? _connection;

    private MigrationRunLock(NpgsqlConnection? connection) => _connection = connection;

    public static async Task<MigrationRunLock> AcquireAsync(ShopDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return new MigrationRunLock(null);
        }

        // Unpooled: closing it ends the session, so the lock cannot outlive the run in a pool.
        var builder = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new MigrationRunLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
