using Microsoft.Extensions.DependencyInjection;
using Shop.Core.Data;

namespace Shop.Core.Caching;

public static class CacheQueries
{
    /// <summary>
    /// Runs a cache factory's query on a DbContext of its own, never on the request's. A factory can
    /// outlive the request that started it: after its soft timeout the request answers from the stale
    /// entry while the factory finishes in the background. The request's DbContext goes back to the pool
    /// when the request ends and is handed to the next one, which would then share it with the factory
    /// ("a second operation was started on this context instance": a 500 on an unrelated request).
    /// </summary>
    public static async Task<T> QueryAsync<T>(this IServiceScopeFactory scopes, Func<ShopDbContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ShopDbContext>(), cancellationToken);
    }
}
