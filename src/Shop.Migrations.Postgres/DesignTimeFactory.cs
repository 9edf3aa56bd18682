using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Core.Data;

namespace Shop.Migrations.Postgres;

/// <summary>Lets dotnet-ef build the context for this provider: dotnet ef migrations add Name --project src/Shop.Migrations.Postgres.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ShopDbContext>
{
    public ShopDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, DatabaseProvider.Postgres, "Host=localhost;Database=shop_design;Username=postgres");
        return new ShopDbContext(options.Options);
    }
}
