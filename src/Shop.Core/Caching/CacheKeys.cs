namespace Shop.Core.Caching;

/// <summary>The one place cache keys are built, so that a writer and a reader never disagree on a key.</summary>
public static class CacheKeys
{
    private const string Prefix = "shop:v1:";

    public static string UserStatus(Guid userId) => $"{Prefix}user-status:{userId:N}";

    public const string CategoryTree = Prefix + "categories:tree";

    /// <summary>
    /// A rate-limit or login-failure counter kept in Redis (<see cref="RedisCounters"/>). These keys do not go through
    /// FusionCache, so the deployment's <c>Caching:KeyPrefix</c> is put in front here, the way FusionCache puts it in
    /// front of its own keys: shops (and test hosts) sharing one Redis never share a count.
    /// </summary>
    public static string Counter(string deploymentPrefix, string limit, string partition) => $"{deploymentPrefix}{Prefix}limits:{limit}:{partition}";
}
