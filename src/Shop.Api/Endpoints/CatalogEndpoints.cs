using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Shop.Api.Infrastructure;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.Api.Endpoints;

public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder api)
    {
        var categories = api.MapGroup("/categories").WithTags("Categories").WithRequestValidation().WithPublicCaching();
        categories.MapGet("/", GetCategoryTree).WithSummary("The whole category tree.");
        categories.MapGet("/{id}", GetCategory).WithSummary("One category, by id or slug, with its sub-categories.");

        var manageCategories = api.MapGroup("/categories").WithTags("Categories").RequireAuthorization(Authentication.AdminPolicy).WithRequestValidation();
        manageCategories.MapPost("/", CreateCategory).Problems(StatusCodes.Status409Conflict, "slug-taken")
            .WithSummary("Create a category; the slug is derived from the name when absent.");
        manageCategories.MapPut("/{id:guid}", UpdateCategory).Problems(StatusCodes.Status409Conflict, "slug-taken")
            .WithSummary("Rename or move a category; the slug stays unless a new one is sent.");
        manageCategories.MapDelete("/{id:guid}", DeleteCategory).Problems(StatusCodes.Status409Conflict, "category-not-empty")
            .WithSummary("Delete an empty category (no products, no sub-categories).");
        NotFoundUnlessUuid(manageCategories, "Category");

        var products = api.MapGroup("/products").WithTags("Products").WithRequestValidation().WithPublicCaching();
        products.MapQuery("/", ListProducts)
            .WithSummary("Browse active products: q searches sku, name and description; categoryId includes sub-categories.");
        products.MapQuery("/facets", ProductFacets)
            .WithSummary("Counts for a filter sidebar, with the filters of the product list: per category (sub-categories included), per option value, the price range and how many are in stock.");
        products.MapGet("/{id}", GetProduct)
            .WithSummary("One product by id or slug, with available stock. Sends an ETag; If-None-Match answers 304.");

        var manageProducts = api.MapGroup("/products").WithTags("Products").RequireAuthorization(Authentication.AdminPolicy).WithRequestValidation();
        manageProducts.MapPost("/", CreateProduct).WithETag().Problems(StatusCodes.Status409Conflict, "sku-taken", "slug-taken")
            .WithSummary("Create a product (with empty stock).");
        manageProducts.MapPut("/{id:guid}", UpdateProduct).WithETag().Problems(StatusCodes.Status409Conflict, "sku-taken", "slug-taken", "stale-update")
            .WithSummary("Replace a product. Send If-Match with the ETag you read: a product changed since is a 409.");
        manageProducts.MapDelete("/{id:guid}", DeleteProduct).WithSummary("Delete a product; one that was ever ordered is deactivated instead.");
        NotFoundUnlessUuid(manageProducts, "Product");

        var variants = manageProducts.MapGroup("/{id:guid}/variants").WithTags("Variants");
        variants.MapPost("/", CreateVariant).Problems(StatusCodes.Status409Conflict, "variant-exists", "sku-taken", "too-many-variants")
            .WithSummary("Add a variant (with empty stock): one value of each product option, a sku unique across the catalog, a price.");
        variants.MapGet("/{variantId:guid}", GetVariant).WithSummary("One variant, with its available stock.");
        variants.MapPut("/{variantId:guid}", UpdateVariant).Problems(StatusCodes.Status409Conflict, "variant-exists", "sku-taken", "last-variant")
            .WithSummary("Replace a variant: sku, option values, price, active.");
        variants.MapDelete("/{variantId:guid}", DeleteVariant).Problems(StatusCodes.Status409Conflict, "last-variant", "concurrent-change")
            .WithSummary("Delete a variant with its stock; one that was ever ordered is deactivated instead. An active product keeps one active variant.");

        // A product's stock is its only variant's; with several, each variant has its own routes (409 variant-required here).
        var inventory = manageProducts.MapGroup("/{id:guid}/inventory").WithTags("Inventory");
        inventory.MapGet("/", GetInventory).Problems(StatusCodes.Status409Conflict, "variant-required")
            .WithSummary("On hand, reserved, available and the low-stock threshold of a product with one variant.");
        inventory.MapPut("/", SetInventory).Problems(StatusCodes.Status409Conflict, "below-reserved", "variant-required")
            .WithSummary("Set on-hand stock; below what is reserved is a 409.");
        inventory.MapPost("/adjustments", AdjustInventory).Problems(StatusCodes.Status409Conflict, "insufficient-stock", "variant-required")
            .WithSummary("Add or remove stock, with a reason kept in the audit trail.");
        inventory.MapQuery("/adjustments", ListAdjustments).Problems(StatusCodes.Status409Conflict, "variant-required")
            .WithSummary("The audit trail of stock changes, newest first.");

        var variantInventory = manageProducts.MapGroup("/{id:guid}/variants/{variantId:guid}/inventory").WithTags("Inventory");
        variantInventory.MapGet("/", GetVariantInventory).WithSummary("A variant's on hand, reserved, available and low-stock threshold.");
        variantInventory.MapPut("/", SetVariantInventory).Problems(StatusCodes.Status409Conflict, "below-reserved")
            .WithSummary("Set a variant's on-hand stock; below what is reserved is a 409.");
        variantInventory.MapPost("/adjustments", AdjustVariantInventory).Problems(StatusCodes.Status409Conflict, "insufficient-stock")
            .WithSummary("Add or remove a variant's stock, with a reason kept in the audit trail.");
        variantInventory.MapQuery("/adjustments", ListVariantAdjustments).WithSummary("The audit trail of a variant's stock changes, newest first.");
        return api;
    }

    /// <summary>
    /// PUT and DELETE take a UUID. Without this, a slug or other text there matches only the GET
    /// route's path and the answer would be 405; it is 404 like any unknown id, control characters
    /// included (the id is read from the route values, so the text rule of the request filter,
    /// a 400 that neither operation declares, does not apply to it).
    /// </summary>
    private static void NotFoundUnlessUuid(RouteGroupBuilder group, string what) =>
        group.MapMethods("/{id}", [HttpMethods.Put, HttpMethods.Delete],
                IResult (HttpContext http) => throw new NotFoundException($"{what} not found: '{http.GetRouteValue("id")}' is not a {what.ToLowerInvariant()} id."))
            .ExcludeFromDescription();

    private static async Task<Ok<IReadOnlyList<CategoryResponse>>> GetCategoryTree(CategoryTree categories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await categories.GetTreeAsync(cancellationToken));

    private static async Task<Ok<CategoryResponse>> GetCategory(
        [FromRoute(Name = "id"), Description("The category's id or its slug.")] string idOrSlug, CategoryTree categories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await categories.GetAsync(idOrSlug, cancellationToken));

    private static async Task<Created<CategoryResponse>> CreateCategory(CategoryRequest request, CategoryService categories, CancellationToken cancellationToken)
    {
        var category = await categories.CreateAsync(request, cancellationToken);
        return TypedResults.Created(Links.Category(category.Id), category);
    }

    private static async Task<Ok<CategoryResponse>> UpdateCategory(Guid id, CategoryRequest request, CategoryService categories, CancellationToken cancellationToken) =>
        TypedResults.Ok(await categories.UpdateAsync(id, request, cancellationToken));

    private static async Task<NoContent> DeleteCategory(Guid id, CategoryService categories, CancellationToken cancellationToken)
    {
        await categories.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PagedResult<ProductResponse>>> ListProducts([AsParameters] ProductListQuery query, ClaimsPrincipal user, ProductCatalog products, CancellationToken cancellationToken) =>
        TypedResults.Ok(await products.ListAsync(query, user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Ok<ProductFacetsResponse>> ProductFacets([AsParameters] ProductFacetsQuery query, ClaimsPrincipal user, ProductCatalog products, CancellationToken cancellationToken) =>
        TypedResults.Ok(await products.FacetsAsync(query, user.IsInRole(Roles.Admin), cancellationToken));

    private static async Task<Results<Ok<ProductResponse>, StatusCodeHttpResult>> GetProduct(
        [FromRoute(Name = "id"), Description("The product's id or its slug.")] string idOrSlug, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch, ClaimsPrincipal user, ProductCatalog products, HttpContext http,
        CancellationToken cancellationToken)
    {
        var product = await products.GetAsync(idOrSlug, user.IsInRole(Roles.Admin), cancellationToken);
        http.Response.Headers.ETag = product.ETag;
        return ETags.Matches(ifNoneMatch, product.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(product);
    }

    private static async Task<Created<ProductResponse>> CreateProduct(ProductRequest request, ProductService products, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await products.CreateAsync(request, cancellationToken);
        http.Response.Headers.ETag = product.ETag;
        return TypedResults.Created(Links.Product(product.Id), product);
    }

    private static async Task<Ok<ProductResponse>> UpdateProduct(
        Guid id, ProductRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, ProductService products, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await products.UpdateAsync(id, request, ETags.VersionOf(ifMatch), cancellationToken);
        http.Response.Headers.ETag = product.ETag;
        return TypedResults.Ok(product);
    }

    private static async Task<NoContent> DeleteProduct(Guid id, ProductService products, CancellationToken cancellationToken)
    {
        await products.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<VariantResponse>> CreateVariant(Guid id, VariantRequest request, VariantService variants, CancellationToken cancellationToken)
    {
        var variant = await variants.CreateAsync(id, request, cancellationToken);
        return TypedResults.Created(Links.Variant(id, variant.Id), variant);
    }

    private static async Task<Ok<VariantResponse>> GetVariant(Guid id, Guid variantId, VariantService variants, CancellationToken cancellationToken) =>
        TypedResults.Ok(await variants.GetAsync(id, variantId, cancellationToken));

    private static async Task<Ok<VariantResponse>> UpdateVariant(Guid id, Guid variantId, VariantRequest request, VariantService variants, CancellationToken cancellationToken) =>
        TypedResults.Ok(await variants.UpdateAsync(id, variantId, request, cancellationToken));

    private static async Task<NoContent> DeleteVariant(Guid id, Guid variantId, VariantService variants, CancellationToken cancellationToken)
    {
        await variants.DeleteAsync(id, variantId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<InventoryResponse>> GetInventory(Guid id, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.GetAsync(await inventory.ResolveAsync(id, null, cancellationToken), cancellationToken));

    private static async Task<Ok<InventoryResponse>> GetVariantInventory(Guid id, Guid variantId, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.GetAsync(await inventory.ResolveAsync(id, variantId, cancellationToken), cancellationToken));

    private static async Task<Ok<InventoryResponse>> SetInventory(Guid id, SetInventoryRequest request, ClaimsPrincipal admin, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.SetAsync(await inventory.ResolveAsync(id, null, cancellationToken), request, admin.UserId(), cancellationToken));

    private static async Task<Ok<InventoryResponse>> SetVariantInventory(
        Guid id, Guid variantId, SetInventoryRequest request, ClaimsPrincipal admin, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.SetAsync(await inventory.ResolveAsync(id, variantId, cancellationToken), request, admin.UserId(), cancellationToken));

    private static async Task<Created<InventoryAdjustedResponse>> AdjustInventory(Guid id, AdjustInventoryRequest request, ClaimsPrincipal admin, InventoryService inventory, CancellationToken cancellationToken)
    {
        var adjustment = await inventory.AdjustAsync(await inventory.ResolveAsync(id, null, cancellationToken), request, admin.UserId(), cancellationToken);
        return TypedResults.Created(Links.InventoryAdjustments(id), adjustment);
    }

    private static async Task<Created<InventoryAdjustedResponse>> AdjustVariantInventory(
        Guid id, Guid variantId, AdjustInventoryRequest request, ClaimsPrincipal admin, InventoryService inventory, CancellationToken cancellationToken)
    {
        var adjustment = await inventory.AdjustAsync(await inventory.ResolveAsync(id, variantId, cancellationToken), request, admin.UserId(), cancellationToken);
        return TypedResults.Created(Links.VariantInventoryAdjustments(id, variantId), adjustment);
    }

    private static async Task<Ok<PagedResult<InventoryAdjustmentResponse>>> ListAdjustments(Guid id, [AsParameters] PageQuery paging, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.ListAdjustmentsAsync(await inventory.ResolveAsync(id, null, cancellationToken), paging, cancellationToken));

    private static async Task<Ok<PagedResult<InventoryAdjustmentResponse>>> ListVariantAdjustments(
        Guid id, Guid variantId, [AsParameters] PageQuery paging, InventoryService inventory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inventory.ListAdjustmentsAsync(await inventory.ResolveAsync(id, variantId, cancellationToken), paging, cancellationToken));
}
