using System.Globalization;
using Shop.Core.Catalog;

namespace Shop.Core.Caching;

/// <summary>
/// The one place cache keys and tags are built, so that a writer and a reader never disagree on a key.
/// The version in the prefix changes whenever a cached shape changes, so a deploy never reads an
/// entry written by the previous version. <c>Caching:KeyPrefix</c> (FusionCache's key prefix) keeps
/// shops that share one Redis apart.
/// </summary>
public static class CacheKeys
{
    private const string Prefix = "shop:v2:";

    public static string UserStatus(Guid userId) => $"{Prefix}user-status:{userId:N}";

    public const string CategoryTree = Prefix + "categories:tree";

    public static string Product(Guid id) => $"{Prefix}product:{id:N}";

    public static string ProductBySlug(string slug) => $"{Prefix}product-slug:{slug}";

    /// <summary>A page of the anonymous product list: every filter, the sort and the page, normalized.</summary>
    public static string ProductPage(ProductListQuery query) => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}products:{query.Filter.Key}|sort={query.Sort ?? ProductSorts.Default}|page={query.Paging.PageNumber}|size={query.Paging.Size}");

    public static string ProductFacets(ProductFacetsQuery query) => $"{Prefix}facets:{query.Filter.Key}";

    /// <summary>Every shipping method, active or not (few: one entry).</summary>
    public const string ShippingMethods = Prefix + "shipping-methods";

    /// <summary>Every tax rate, by country (one entry).</summary>
    public const string TaxRates = Prefix + "tax-rates";

    /// <summary>Tags: a write evicts every entry carrying a tag it names (<see cref="CacheInvalidation"/>).</summary>
    public static class Tags
    {
        /// <summary>The category tree (and each category, answered from it).</summary>
        public const string Categories = "categories";

        /// <summary>
        /// Every product list page: a product or its stock changing may move it into, out of or within
        /// any page, and a category moving changes which products its filter finds.
        /// </summary>
        public const string ProductLists = "product-lists";

        /// <summary>The shipping methods entry.</summary>
        public const string ShippingMethods = "shipping-methods";

        /// <summary>The tax rates entry.</summary>
        public const string TaxRates = "tax-rates";

        /// <summary>One product's entries, by id and by slug.</summary>
        public static string Product(Guid id) => $"product:{id:N}";

        /// <summary>What a change to these products (their fields or their stock) makes stale: their entries and every list page.</summary>
        public static IEnumerable<string> Products(params IEnumerable<Guid> ids) => [ProductLists, .. ids.Select(Product)];
    }

    /// <summary>
    /// A rate-limit or login-failure counter kept in Redis (<see cref="RedisCounters"/>). These keys do not go through
    /// FusionCache, so the deployment's <c>Caching:KeyPrefix</c> is put in front here, the way FusionCache puts it in
    /// front of its own keys: shops (and test hosts) sharing one Redis never share a count.
    /// </summary>
    public static string Counter(string deploymentPrefix, string limit, string partition) => $"{deploymentPrefix}{Prefix}limits:{limit}:{partition}";
}
