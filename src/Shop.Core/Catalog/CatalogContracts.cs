using Shop.Core.Common;

namespace Shop.Core.Catalog;

public sealed record CategoryRequest(string Name, string? Slug, Guid? ParentId);

public sealed record CategoryResponse(Guid Id, string Name, string Slug, Guid? ParentId, IReadOnlyList<CategoryResponse> Children);

public sealed record ProductRequest(
    string Sku, string? Slug, string Name, [property: MultilineText] string? Description, decimal Price, string? Currency,
    Guid? CategoryId, List<string>? ImageUrls, bool? IsActive);

public sealed record StockResponse(int Available);

public sealed record ProductResponse(
    Guid Id, string Sku, string Slug, string Name, string? Description, decimal Price, string Currency, Guid? CategoryId,
    IReadOnlyList<string> ImageUrls, bool IsActive, StockResponse Stock, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>Changes when the product or its available stock changes, so a cached copy is never stale.</summary>
    internal long Version { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string ETag => $"\"{Version}-{Stock.Available}\"";
}

public sealed record ProductListQuery(
    string? Q, Guid? CategoryId, decimal? MinPrice, decimal? MaxPrice, bool? InStock, string? Sort,
    int? Page, int? PageSize, bool? IncludeInactive)
{
    public PageQuery Paging => new(Page, PageSize);
}

public static class ProductSorts
{
    public const string Default = "-createdAt";
    public static readonly string[] All = ["name", "-name", "price", "-price", "createdAt", "-createdAt"];
}

public sealed record InventoryResponse(Guid ProductId, int OnHand, int Reserved, int Available, int LowStockThreshold);

public sealed record SetInventoryRequest(int? OnHand, int? LowStockThreshold);

public sealed record AdjustInventoryRequest(int? Delta, [property: MultilineText] string Reason);

public sealed record InventoryAdjustmentResponse(Guid Id, Guid ProductId, int Delta, int OnHandAfter, string Reason, Guid? ActorUserId, DateTime CreatedAt);

/// <summary>The answer to an adjustment: the audit record, and the stock it left (the fields of <see cref="InventoryResponse"/>).</summary>
public sealed record InventoryAdjustedResponse(
    Guid Id, Guid ProductId, int Delta, int OnHandAfter, string Reason, Guid? ActorUserId, DateTime CreatedAt,
    int OnHand, int Reserved, int Available, int LowStockThreshold);

public static class CatalogMappings
{
    public static ProductResponse ToResponse(this Product p) =>
        new(p.Id, p.Sku, p.Slug, p.Name, p.Description, Money.ToMajor(p.PriceMinor), p.Currency, p.CategoryId,
            p.ImageUrls, p.IsActive, new StockResponse(p.Inventory?.Available ?? 0), p.CreatedAt, p.UpdatedAt)
        {
            Version = p.Version,
        };

    public static InventoryResponse ToResponse(this Inventory i) =>
        new(i.ProductId, i.OnHand, i.Reserved, i.Available, i.LowStockThreshold);

    public static InventoryAdjustmentResponse ToResponse(this InventoryAdjustment a) =>
        new(a.Id, a.ProductId, a.Delta, a.OnHandAfter, a.Reason, a.ActorUserId, a.CreatedAt);
}
