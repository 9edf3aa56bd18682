using Shop.Core.Common;

namespace Shop.Core.Catalog;

public sealed record CategoryRequest(string Name, string? Slug, Guid? ParentId);

public sealed record CategoryResponse(Guid Id, string Name, string Slug, Guid? ParentId, IReadOnlyList<CategoryResponse> Children);

/// <param name="Price">Required for a product with one variant (created without <paramref name="Variants"/>); otherwise the lowest active variant's.</param>
/// <param name="Options">The options its variants choose from; left out on replacement: unchanged.</param>
/// <param name="Variants">On creation only: the variants to create instead of the default one (variant routes afterwards).</param>
public sealed record ProductRequest(
    string Sku, string? Slug, string Name, [property: MultilineText] string? Description, decimal? Price, string? Currency,
    Guid? CategoryId, List<string>? ImageUrls, bool? IsActive, List<ProductOptionRequest>? Options = null, List<VariantRequest>? Variants = null);

public sealed record ProductOptionRequest(string Name, List<string> Values);

/// <param name="OptionValues">One value of each product option, by option name; empty (or left out) for a product without options.</param>
public sealed record VariantRequest(string Sku, Dictionary<string, string>? OptionValues, decimal Price, bool? IsActive);

public sealed record VariantResponse(
    Guid Id, string Sku, IReadOnlyDictionary<string, string> OptionValues, decimal Price, string Currency, bool IsActive, StockResponse Stock);

public sealed record StockResponse(int Available);

public sealed record ProductResponse(
    Guid Id, string Sku, string Slug, string Name, string? Description, decimal Price, string Currency, Guid? CategoryId,
    IReadOnlyList<string> ImageUrls, bool IsActive, StockResponse Stock, IReadOnlyList<ProductOption> Options, IReadOnlyList<VariantResponse> Variants,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>Changes when the product or its available stock changes, so a cached copy is never stale.</summary>
    internal long Version { get; init; }

    /// <summary>Each variant's stock, when there are several: stock moving between variants changes the ETag too.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ETag => Variants.Count <= 1
        ? $"\"{Version}-{Stock.Available}\""
        : $"\"{Version}-{Stock.Available}-{string.Join('.', Variants.Select(v => v.Stock.Available))}\"";
}

/// <summary>The filters <c>GET /products</c> and <c>GET /products/facets</c> share (one validator, one filtering code).</summary>
internal interface IProductFilterQuery
{
    string? Q { get; }
    Guid? CategoryId { get; }
    decimal? MinPrice { get; }
    decimal? MaxPrice { get; }
    bool? InStock { get; }
    bool? IncludeInactive { get; }
    string[]? Option { get; }
}

/// <param name="Option">"Name:Value", repeatable: a product matches when one active variant has all of them (and the price and stock filters).</param>
public sealed record ProductListQuery(
    string? Q, Guid? CategoryId, decimal? MinPrice, decimal? MaxPrice, bool? InStock, string? Sort,
    int? Page, int? PageSize, bool? IncludeInactive, string[]? Option = null) : IProductFilterQuery
{
    public PageQuery Paging => new(Page, PageSize);

    internal ProductFilter Filter => ProductFilter.Of(this);
}

/// <summary>The filters of <c>GET /products</c>, without paging or sort.</summary>
public sealed record ProductFacetsQuery(string? Q, Guid? CategoryId, decimal? MinPrice, decimal? MaxPrice, bool? InStock, bool? IncludeInactive, string[]? Option = null)
    : IProductFilterQuery
{
    internal ProductFilter Filter => ProductFilter.Of(this);
}

/// <summary>What both the list and the facets filter on; option filters sorted, so equal filters have equal cache keys.</summary>
internal sealed record ProductFilter(
    string? Q, Guid? CategoryId, decimal? MinPrice, decimal? MaxPrice, bool? InStock, IReadOnlyList<KeyValuePair<string, string>> Options, bool? IncludeInactive)
{
    public static ProductFilter Of(IProductFilterQuery query) =>
        new(query.Q, query.CategoryId, query.MinPrice, query.MaxPrice, query.InStock, ParseOptions(query.Option), query.IncludeInactive);

    private static IReadOnlyList<KeyValuePair<string, string>> ParseOptions(string[]? options) =>
        [.. (options ?? []).Select(o => o.Split(':', 2)).Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim()))
            .Distinct().OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)];

    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"q={Q?.Trim().ToLowerInvariant()}|c={CategoryId:N}|min={MinPrice}|max={MaxPrice}|stock={InStock}|o={string.Join(';', Options.Select(o => $"{o.Key.Length}:{o.Key}={o.Value}"))}");
}

public sealed record FacetCategory(Guid Id, string Name, string Slug, int Count);

public sealed record FacetValue(string Value, int Count);

public sealed record FacetOption(string Name, IReadOnlyList<FacetValue> Values);

public sealed record PriceRange(decimal? Min, decimal? Max);

/// <summary>Counts of the active products matching the filters, for a storefront's filter sidebar.</summary>
public sealed record ProductFacetsResponse(long TotalCount, IReadOnlyList<FacetCategory> Categories, IReadOnlyList<FacetOption> Options, PriceRange Price, long InStockCount);

public static class ProductSorts
{
    public const string Default = "-createdAt";
    public static readonly string[] All = ["name", "-name", "price", "-price", "createdAt", "-createdAt"];
}

public sealed record InventoryResponse(Guid ProductId, Guid VariantId, int OnHand, int Reserved, int Available, int LowStockThreshold);

public sealed record SetInventoryRequest(int? OnHand, int? LowStockThreshold);

public sealed record AdjustInventoryRequest(int? Delta, [property: MultilineText] string Reason);

public sealed record InventoryAdjustmentResponse(Guid Id, Guid ProductId, Guid VariantId, int Delta, int OnHandAfter, string Reason, Guid? ActorUserId, DateTime CreatedAt);

/// <summary>The answer to an adjustment: the audit record, and the stock it left (the fields of <see cref="InventoryResponse"/>).</summary>
public sealed record InventoryAdjustedResponse(
    Guid Id, Guid ProductId, Guid VariantId, int Delta, int OnHandAfter, string Reason, Guid? ActorUserId, DateTime CreatedAt,
    int OnHand, int Reserved, int Available, int LowStockThreshold);

public static class CatalogMappings
{
    /// <summary>
    /// The product with its variants (loaded with their stock): its price the lowest of its active
    /// variants', its available stock their sum, both derived here from the rows read, so they
    /// cannot drift from the variants'.
    /// </summary>
    public static ProductResponse ToResponse(this Product p)
    {
        var variants = p.Variants.OrderBy(v => v.Position).ThenBy(v => v.Id).ToList();
        var active = variants.Where(v => v.IsActive).ToList();
        return new(p.Id, p.Sku, p.Slug, p.Name, p.Description, Money.ToMajor(active.Count > 0 ? active.Min(v => v.PriceMinor) : p.PriceMinor), p.Currency,
            p.CategoryId, p.ImageUrls, p.IsActive, new StockResponse(active.Sum(v => Math.Max(0, v.Inventory?.Available ?? 0))), p.Options,
            [.. variants.Select(v => v.ToResponse())], p.CreatedAt, p.UpdatedAt)
        {
            // Bumped by every change to the product or to one of its variants (VariantService).
            Version = p.Version,
        };
    }

    public static VariantResponse ToResponse(this ProductVariant v) =>
        new(v.Id, v.Sku, v.OptionValues, Money.ToMajor(v.PriceMinor), v.Currency, v.IsActive, new StockResponse(v.Inventory?.Available ?? 0));

    public static InventoryResponse ToResponse(this Inventory i) =>
        new(i.ProductId, i.VariantId, i.OnHand, i.Reserved, i.Available, i.LowStockThreshold);

    public static InventoryAdjustmentResponse ToResponse(this InventoryAdjustment a) =>
        new(a.Id, a.ProductId, a.VariantId, a.Delta, a.OnHandAfter, a.Reason, a.ActorUserId, a.CreatedAt);
}
