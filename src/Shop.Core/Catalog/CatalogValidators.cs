using System.Text.RegularExpressions;
using FluentValidation;
using Shop.Core.Common;

namespace Shop.Core.Catalog;

public sealed class CategoryRequestValidator : AbstractValidator<CategoryRequest>
{
    public CategoryRequestValidator()
    {
        RuleFor(x => x.Name).RequiredText(CatalogLimits.CategoryName);
        RuleFor(x => x.Slug).Must(Slugs.IsValid).When(x => x.Slug is not null).WithMessage(SlugMessage);
    }

    internal const string SlugMessage = "'{PropertyName}' must be lower-case letters and digits separated by single hyphens, at most 120 characters.";
}

public sealed partial class ProductRequestValidator : AbstractValidator<ProductRequest>
{
    public ProductRequestValidator()
    {
        RuleFor(x => x.Sku).NotEmpty().MaximumLength(CatalogLimits.Sku)
            .Matches(Sku()).WithMessage("'{PropertyName}' may contain letters, digits, '.', '_' and '-' only.");
        RuleFor(x => x.Slug).Must(Slugs.IsValid).When(x => x.Slug is not null).WithMessage(CategoryRequestValidator.SlugMessage);
        RuleFor(x => x.Name).RequiredText(CatalogLimits.ProductName);
        RuleFor(x => x.Description).OptionalText(CatalogLimits.Description);
        RuleFor(x => x.Price).NotNull().When(x => x.Variants is not { Count: > 0 })
            .WithMessage("'price' is required, unless the product is created with its variants.");
        RuleFor(x => x.Price).Price().GreaterThan(0).When(x => x.Price is not null);
        RuleFor(x => x.Options).Must(o => o is null || o.Count <= CatalogLimits.Options)
            .WithMessage($"At most {CatalogLimits.Options} options.");
        RuleFor(x => x.Options).Must(o => o is null || o.Where(x => x?.Name is not null).Select(x => x.Name.Trim()).Distinct(StringComparer.Ordinal).Count() == o.Count)
            .WithMessage("Option names must differ.");
        RuleForEach(x => x.Options).NotNull().SetValidator(new ProductOptionRequestValidator());
        RuleFor(x => x.Variants).Must(v => v is null || v.Count <= CatalogLimits.Variants)
            .WithMessage($"At most {CatalogLimits.Variants} variants.");
        RuleForEach(x => x.Variants).NotNull().SetValidator(new VariantRequestValidator());
        RuleFor(x => x.Currency).Must(CurrencyCodes.IsValid).When(x => x.Currency is not null)
            .WithMessage("'{PropertyName}' must be an ISO 4217 currency code such as 'USD'; leave it out for the shop's Catalog:DefaultCurrency.");
        RuleFor(x => x.ImageUrls).Must(u => u is null || u.Count <= CatalogLimits.ImageUrls)
            .WithMessage($"At most {CatalogLimits.ImageUrls} image URLs.");
        RuleForEach(x => x.ImageUrls).Must(IsHttpUrl)
            .WithMessage("Each image URL must be an absolute http or https URL of at most 2048 characters.");
    }

    private static bool IsHttpUrl(string? url) =>
        url is { Length: > 0 and <= CatalogLimits.ImageUrl }
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    internal static partial Regex Sku();
}

public sealed class ProductOptionRequestValidator : AbstractValidator<ProductOptionRequest>
{
    public ProductOptionRequestValidator()
    {
        RuleFor(x => x.Name).RequiredText(CatalogLimits.OptionName).Must(n => n is null || !n.Contains('=') && !n.Contains(';'))
            .WithMessage("An option name cannot contain '=' or ';'.");
        RuleFor(x => x.Values).NotEmpty().Must(v => v is null || v.Count <= CatalogLimits.OptionValues)
            .WithMessage($"An option has 1 to {CatalogLimits.OptionValues} values.");
        RuleForEach(x => x.Values).RequiredText(CatalogLimits.OptionValue).Must(v => v is null || !v.Contains(';'))
            .WithMessage("An option value cannot contain ';'.");
        RuleFor(x => x.Values).Must(v => v is null || v.Where(x => x is not null).Select(x => x.Trim()).Distinct(StringComparer.Ordinal).Count() == v.Count)
            .WithMessage("An option's values must differ.");
    }
}

public sealed class VariantRequestValidator : AbstractValidator<VariantRequest>
{
    public VariantRequestValidator()
    {
        RuleFor(x => x.Sku).NotEmpty().MaximumLength(CatalogLimits.Sku)
            .Matches(ProductRequestValidator.Sku()).WithMessage("'{PropertyName}' may contain letters, digits, '.', '_' and '-' only.");
        RuleFor(x => x.Price).Price().GreaterThan(0);
        RuleFor(x => x.OptionValues).Must(v => v is null || v.Count <= CatalogLimits.Options)
            .WithMessage($"At most {CatalogLimits.Options} option values.");
        RuleFor(x => x.OptionValues).Must(v => v is null || v.All(o =>
                o.Key.Trim() is { Length: > 0 and <= CatalogLimits.OptionName } && o.Value?.Trim() is { Length: > 0 and <= CatalogLimits.OptionValue }))
            .WithMessage($"Each option value is a text of 1 to {CatalogLimits.OptionValue} characters, under an option name of 1 to {CatalogLimits.OptionName}.");
    }
}

public sealed class ProductListQueryValidator : AbstractValidator<ProductListQuery>
{
    public ProductListQueryValidator()
    {
        this.ValidatePaging(q => q.Page, q => q.PageSize);
        Include(ProductFilterValidator.Instance);
        RuleFor(x => x.Sort).Must(s => ProductSorts.All.Contains(s)).When(x => x.Sort is not null)
            .WithMessage($"'sort' must be one of {string.Join(", ", ProductSorts.All)}.");
    }
}

public sealed class ProductFacetsQueryValidator : AbstractValidator<ProductFacetsQuery>
{
    public ProductFacetsQueryValidator() => Include(ProductFilterValidator.Instance);
}

/// <summary>The filters the product list and its facets share; "option=Name:Value" each within the lengths options allow.</summary>
internal sealed class ProductFilterValidator : AbstractValidator<IProductFilterQuery>
{
    public static readonly ProductFilterValidator Instance = new();

    private ProductFilterValidator()
    {
        RuleFor(x => x.Q).MaximumLength(200);
        RuleFor(x => x.MinPrice).Price().When(x => x.MinPrice is not null);
        RuleFor(x => x.MaxPrice).Price().When(x => x.MaxPrice is not null);
        RuleFor(x => x.MaxPrice).GreaterThanOrEqualTo(x => x.MinPrice)
            .When(x => x.MinPrice is not null && x.MaxPrice is not null).WithMessage("'maxPrice' must not be below 'minPrice'.");
        RuleFor(x => x.Option).Must(OptionFilters.AreValid).WithMessage(OptionFilters.Message).OverridePropertyName("option");
    }
}

internal static class OptionFilters
{
    public const string Message = "Each 'option' is 'Name:Value' (e.g. option=Size:M), at most 10 of them.";

    public static bool AreValid(string[]? options) =>
        options is null || (options.Length <= 10 && options.All(o => o?.Split(':', 2) is [var name, var value]
            && name.Trim() is { Length: > 0 and <= CatalogLimits.OptionName }
            && value.Trim() is { Length: > 0 and <= CatalogLimits.OptionValue }));
}

public sealed class SetInventoryRequestValidator : AbstractValidator<SetInventoryRequest>
{
    public SetInventoryRequestValidator()
    {
        RuleFor(x => x.OnHand).NotNull().InclusiveBetween(0, CatalogLimits.MaxStock);
        RuleFor(x => x.LowStockThreshold).InclusiveBetween(0, CatalogLimits.MaxStock);
    }
}

public sealed class AdjustInventoryRequestValidator : AbstractValidator<AdjustInventoryRequest>
{
    public AdjustInventoryRequestValidator()
    {
        RuleFor(x => x.Delta).NotNull().NotEqual(0).InclusiveBetween(-CatalogLimits.MaxStock, CatalogLimits.MaxStock);
        RuleFor(x => x.Reason).RequiredText(CatalogLimits.Reason);
    }
}

internal static class MoneyRules
{
    public static IRuleBuilderOptions<T, decimal> Price<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.GreaterThanOrEqualTo(0).LessThanOrEqualTo(Money.MaxAmount)
            .Must(Money.HasAtMostTwoDecimals).WithMessage("'{PropertyName}' must have at most 2 decimal places.");

    public static IRuleBuilderOptions<T, decimal?> Price<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.GreaterThanOrEqualTo(0).LessThanOrEqualTo(Money.MaxAmount)
            .Must(p => p is null || Money.HasAtMostTwoDecimals(p.Value)).WithMessage("'{PropertyName}' must have at most 2 decimal places.");
}
