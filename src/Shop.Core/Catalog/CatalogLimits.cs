namespace Shop.Core.Catalog;

public static class CatalogLimits
{
    public const int CategoryName = 100;
    public const int ProductName = 200;
    public const int Sku = 64;
    public const int Description = 10_000;
    public const int ImageUrls = 20;
    public const int ImageUrl = 2048;
    public const int Reason = 500;
    public const int MaxStock = 1_000_000_000;
}
