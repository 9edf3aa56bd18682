using Microsoft.EntityFrameworkCore;
using Shop.Core.Data;

namespace Shop.IntegrationTests.Infrastructure;

public static class Database
{
    /// <summary>A DbContext on the host's database, for arranging states the API cannot produce on purpose (a crash mid-request).</summary>
    public static ShopDbContext OpenContext(this ShopFactory shop)
    {
        var options = new DbContextOptionsBuilder<ShopDbContext>();
        DatabaseSetup.Configure(options, Enum.Parse<DatabaseProvider>(shop.Provider), shop.ConnectionString);
        return new ShopDbContext(options.Options);
    }
}
