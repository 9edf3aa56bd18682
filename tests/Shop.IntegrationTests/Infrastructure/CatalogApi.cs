using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>Admin-side helpers that build catalog data through the public API.</summary>
public static class CatalogApi
{
    public static async Task<Guid> CreateCategoryAsync(this TestUser admin, string name, Guid? parentId = null, string? slug = null)
    {
        var response = await admin.Client.PostAsJsonAsync("/api/v1/categories", new { name, slug, parentId });
        return (await Expect.Json(response, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    public static object ProductBody(string? sku = null, string? name = null, decimal price = 19.99m, Guid? categoryId = null,
        string? description = null, bool isActive = true, string currency = "USD", string? slug = null, string[]? imageUrls = null) => new
    {
        sku = sku ?? $"SKU-{Guid.NewGuid():N}"[..20],
        slug,
        name = name ?? $"Product {Guid.NewGuid():N}",
        description,
        price,
        currency,
        categoryId,
        imageUrls = imageUrls ?? ["https://images.example.com/p.jpg"],
        isActive,
    };

    public static async Task<JsonElement> CreateProductAsync(this TestUser admin, object body)
    {
        var response = await admin.Client.PostAsJsonAsync("/api/v1/products", body);
        return await Expect.Json(response, HttpStatusCode.Created);
    }

    public static async Task<Guid> CreateProductAsync(this TestUser admin, int onHand = 0, decimal price = 19.99m, Guid? categoryId = null)
    {
        var id = (await admin.CreateProductAsync(ProductBody(price: price, categoryId: categoryId))).GetProperty("id").GetGuid();
        if (onHand > 0)
        {
            await admin.SetStockAsync(id, onHand);
        }

        return id;
    }

    public static async Task SetStockAsync(this TestUser admin, Guid productId, int onHand, int? lowStockThreshold = null)
    {
        var response = await admin.Client.PutAsJsonAsync($"/api/v1/products/{productId}/inventory", new { onHand, lowStockThreshold });
        await Expect.Status(response, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> InventoryAsync(this TestUser admin, Guid productId) =>
        await Expect.Json(await admin.Client.GetAsync($"/api/v1/products/{productId}/inventory"));
}
