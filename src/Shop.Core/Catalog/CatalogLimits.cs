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

    /// <summary>Options per product, values per option, variants per product.</summary>
    public const int Options = 3;
    public const int OptionValues = 50;
    public const int Variants = 100;
    public const int OptionName = 50;
    public const int OptionValue = 100;

    /// <summary>"Name=Value" for every option, ';'-separated.</summary>
    public const int OptionKey = Options * (OptionName + OptionValue + 2);
}
