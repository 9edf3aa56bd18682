using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Core.Data;

namespace Shop.Migrations.Sqlite;

/// <summary>Lets dotnet-ef build the context for this provider: dotnet ef migrations add Name --project src/Shop.Migrations.Sqlite.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ShopDbContext>
{
    public ShopDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new ShopDbContext(options.Options);
    }
}
