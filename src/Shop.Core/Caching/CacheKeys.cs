namespace Shop.Core.Caching;

/// <summary>The one place cache keys are built, so that a writer and a reader never disagree on a key.</summary>
public static class CacheKeys
{
    private const string Prefix = "shop:v1:";

    public static string UserStatus(Guid userId) => $"{Prefix}user-status:{userId:N}";

    public const string CategoryTree = Prefix + "categories:tree";
}
