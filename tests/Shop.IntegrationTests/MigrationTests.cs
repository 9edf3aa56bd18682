using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;

namespace Shop.IntegrationTests;

/// <summary>
/// Each provider's migrations describe this build's model: no change to an entity or configuration
/// is left without its migration. Start-up relies on it: on a current schema it skips Migrate, and
/// with it EF Core's own check of the same thing. No database is needed: the diff is of two models.
/// </summary>
public sealed class MigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=unused.db")]
    [InlineData(DatabaseProvider.Postgres, "Host=unused")]
    public void The_migrations_of_each_provider_match_the_model(DatabaseProvider provider, string connectionString)
    {
        var options = DatabaseSetup.Configure(new DbContextOptionsBuilder<ShopDbContext>(), provider, connectionString);
        using var db = new ShopDbContext((DbContextOptions<ShopDbContext>)options.Options);
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model has changes without a migration: add one for each provider.");
    }
}
