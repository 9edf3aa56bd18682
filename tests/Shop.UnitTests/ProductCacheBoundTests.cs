using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Caching;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Data;

namespace Shop.UnitTests;

/// <summary>
/// List pages are keyed by what clients send, so clients can invent any number of them: the memory
/// cache keeps at most <c>Caching:MemorySizeLimit</c> products' worth (an empty page counts one).
/// </summary>
public sealed class ProductCacheBoundTests
{
    [Fact]
    public async Task The_memory_cache_keeps_no_more_pages_than_its_bound_whatever_clients_invent()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Caching:MemorySizeLimit"] = "100" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddShopCaching(configuration);
        services.AddDbContext<ShopDbContext>(o => o.UseSqlite("Data Source=:memory:")); // never opened: the loads below answer
        services.AddOptions<CatalogOptions>();
        services.AddShopCatalogReads(configuration); // no replica: the primary
        services.AddSingleton<ProductCache>();
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<ProductCache>();
        var searches = Enumerable.Range(0, 200)
            .Select(i => new ProductListQuery($"invented-{i}", null, null, null, null, null, null, null, null))
            .ToList();
        var loads = 0;

        async Task ReadAllAsync()
        {
            foreach (var search in searches)
            {
                await cache.GetPageAsync(search, (_, _) =>
                {
                    loads++;
                    return Task.FromResult(new PagedResult<ProductResponse>([], 1, 20, 0, 0));
                }, CancellationToken.None);
            }
        }

        await ReadAllAsync();
        Assert.Equal(200, loads);

        // At most 100 of the 200 pages can still be in memory: at least 100 are loaded again.
        await ReadAllAsync();
        Assert.InRange(loads - 200, 100, 200);
    }
}
