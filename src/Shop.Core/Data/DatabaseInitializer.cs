using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        if (scope.ServiceProvider.GetService<AdminBootstrapper>() is { } admin)
        {
            await admin.EnsureAdminAsync(cancellationToken);
        }

        if (scope.ServiceProvider.GetService<CatalogSeeder>() is { } seeder)
        {
            await seeder.SeedAsync(cancellationToken);
        }
    }

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
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
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

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is current ({Provider})")]
    private static partial void LogMigrated(ILogger logger, string provider);
}
