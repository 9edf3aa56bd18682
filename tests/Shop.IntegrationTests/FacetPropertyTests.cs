using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.IntegrationTests.Infrastructure;

namespace Shop.IntegrationTests;

/// <summary>
/// Random filters (category, q, price range, stock, option values) asked of <c>GET /products/facets</c>
/// and of <c>GET /products</c>: the facets count exactly the products the list finds, and every count
/// is what API.md says of those products, evaluated here with LINQ over the seeded data. Where a facet
/// count is the total of another list query (a sub-category's, or in stock, or an option value's when
/// no variant filter is given), that list is asked too.
/// </summary>
public abstract class FacetPropertyTests(ShopFactory shop)
{
    private static readonly string[] Words = ["amber", "birch", "cobalt", "dune", "ember"];
    private static readonly string[] Sizes = ["S", "M", "L"];
    private static readonly string[] Colors = ["Red", "Blue"];

    private sealed record Variant(Dictionary<string, string> Options, decimal Price, bool IsActive, int Stock);

    private sealed record Item(Guid Id, string Name, Guid CategoryId, bool IsActive, List<Variant> Variants);

    private sealed record Filter(Guid CategoryId, string? Q, decimal? Min, decimal? Max, bool? InStock, List<(string Name, string Value)> Options)
    {
        public bool ByVariant => Min is not null || Max is not null || Options.Count > 0;

        public string Query(Guid? categoryId = null, bool? inStock = null, (string Name, string Value)? option = null) =>
            string.Create(CultureInfo.InvariantCulture, $"categoryId={categoryId ?? CategoryId}")
            + (Q is null ? "" : $"&q={Uri.EscapeDataString(Q)}")
            + (Min is null ? "" : string.Create(CultureInfo.InvariantCulture, $"&minPrice={Min}"))
            + (Max is null ? "" : string.Create(CultureInfo.InvariantCulture, $"&maxPrice={Max}"))
            + ((inStock ?? InStock) is { } stock ? $"&inStock={(stock ? "true" : "false")}" : "")
            + string.Concat((option is { } extra ? Options.Append(extra) : Options).Select(o => $"&option={o.Name}:{o.Value}"));

        /// <summary>GET /products: a product matches when one active variant satisfies every variant filter at once.</summary>
        public bool Matches(Item p, IReadOnlyCollection<Guid> subtree)
        {
            bool Qualifies(Variant v) => v.IsActive && (Min is null || v.Price >= Min) && (Max is null || v.Price <= Max)
                && Options.All(o => v.Options.TryGetValue(o.Name, out var value) && value == o.Value);
            var any = p.Variants.Any(Qualifies);
            var inStock = p.Variants.Any(v => Qualifies(v) && v.Stock > 0);
            return p.IsActive && subtree.Contains(p.CategoryId)
                && (Q is null || p.Name.Contains(Q, StringComparison.OrdinalIgnoreCase))
                && InStock switch
                {
                    true => inStock,
                    false => (!ByVariant || any) && !inStock,
                    null => !ByVariant || any,
                };
        }
    }

    [Fact]
    public async Task Random_filters_count_the_products_the_list_finds_and_what_API_md_says_of_them()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var admin = await shop.AdminAsync();
        var marker = Guid.NewGuid().ToString("N")[..8];

        // A private subtree: root -> (a -> a1), b. Other tests' products never fall inside it.
        var root = await admin.CreateCategoryAsync($"Facets {marker}");
        var a = await admin.CreateCategoryAsync($"Facets A {marker}", root);
        var a1 = await admin.CreateCategoryAsync($"Facets A1 {marker}", a);
        var b = await admin.CreateCategoryAsync($"Facets B {marker}", root);
        Guid[] categories = [root, a, a1, b];
        var subtree = new Dictionary<Guid, Guid[]> { [root] = categories, [a] = [a, a1], [a1] = [a1], [b] = [b] };

        var all = new List<Item>();
        for (var i = 0; i < 24; i++)
        {
            all.Add(await CreateAsync(admin, random, $"F{marker}-{i:D2}", $"{Pick(random, Words)} {Pick(random, Words)} {i:D2}", Pick(random, categories)));
        }

        var roundsWithResults = 0;
        for (var round = 0; round < 30; round++)
        {
            var min = random.Next(3) == 0 ? random.Next(1, 60) : (decimal?)null;
            var filter = new Filter(
                Pick(random, categories),
                random.Next(4) == 0 ? Pick(random, Words) : null,
                min,
                random.Next(3) == 0 ? (min ?? 0) + random.Next(0, 60) : null,
                random.Next(3) switch { 0 => true, 1 => false, _ => null },
                [.. Enumerable.Range(0, random.Next(4) switch { 0 or 1 => 0, 2 => 1, _ => 2 })
                    .Select(_ => random.Next(2) == 0 ? ("Size", Pick(random, Sizes)) : ("Color", Pick(random, Colors)))
                    .DistinctBy(o => o.Item1)]);
            var because = $"seed {seed}, round {round}: ?{filter.Query()}";
            var matching = all.Where(p => filter.Matches(p, subtree[filter.CategoryId])).ToList();
            roundsWithResults += matching.Count > 0 ? 1 : 0;

            var list = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?{filter.Query()}&pageSize=100"));
            Assert.True(matching.Select(p => p.Id).Order().SequenceEqual(list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).Order()),
                $"{because}: the list finds other products than API.md says");

            // Cheapest first (by the lowest active variant price), a page at a time: on PostgreSQL a price
            // floor's page merges two index walks, from the floor and below it (ProductCatalog.PageIds).
            var (pageSize, page) = (random.Next(1, 6), random.Next(1, 4));
            var cheapest = matching.OrderBy(p => p.Variants.Where(v => v.IsActive).Min(v => v.Price)).ThenBy(p => p.Id.ToString(), StringComparer.Ordinal)
                .Skip((page - 1) * pageSize).Take(pageSize).Select(p => p.Id).ToList();
            var sorted = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products?{filter.Query()}&sort=price&pageSize={pageSize}&page={page}"));
            var found = sorted.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
            Assert.True(cheapest.SequenceEqual(found),
                $"{because}&sort=price&pageSize={pageSize}&page={page}: expected {string.Join(", ", cheapest)}, found {string.Join(", ", found)}");

            var facets = await Expect.Json(await shop.Client().GetAsync($"/api/v1/products/facets?{filter.Query()}"));
            Assert.True(matching.Count == facets.GetProperty("totalCount").GetInt32() && matching.Count == list.GetProperty("totalCount").GetInt32(),
                $"{because}: {matching.Count} products match, the list counts {list.GetProperty("totalCount")}, the facets {facets.GetProperty("totalCount")}");

            // Per category, rolled up; a sub-category's count is the list's total for that sub-category.
            var byCategory = facets.GetProperty("categories").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetGuid(), c => c.GetProperty("count").GetInt32());
            var expectedByCategory = categories.Select(c => (c, Count: matching.Count(p => subtree[c].Contains(p.CategoryId)))).Where(c => c.Count > 0).ToDictionary();
            Assert.True(expectedByCategory.OrderBy(c => c.Key).SequenceEqual(byCategory.OrderBy(c => c.Key)),
                $"{because}: categories {Show(byCategory)}, expected {Show(expectedByCategory)}");
            foreach (var (category, count) in byCategory.Where(c => subtree[filter.CategoryId].Contains(c.Key)))
            {
                Assert.Equal(count, await TotalAsync($"/api/v1/products?{filter.Query(categoryId: category)}"));
            }

            // In stock: a matching product with an active variant in stock; without variant filters, the list's inStock=true.
            var inStock = matching.Count(p => p.Variants.Any(v => v.IsActive && v.Stock > 0));
            Assert.True(inStock == facets.GetProperty("inStockCount").GetInt32(), $"{because}: inStockCount {facets.GetProperty("inStockCount")}, expected {inStock}");
            if (!filter.ByVariant && filter.InStock is null)
            {
                Assert.Equal(inStock, await TotalAsync($"/api/v1/products?{filter.Query(inStock: true)}"));
            }

            // Per option value: the matching products with an active variant having it; without variant
            // filters or a stock filter, the list's total with that option value added.
            var values = facets.GetProperty("options").EnumerateArray().SelectMany(o => o.GetProperty("values").EnumerateArray()
                .Select(v => ((o.GetProperty("name").GetString()!, v.GetProperty("value").GetString()!), v.GetProperty("count").GetInt32()))).ToDictionary();
            var expectedValues = matching.SelectMany(p => p.Variants.Where(v => v.IsActive).SelectMany(v => v.Options.Select(o => (p.Id, (o.Key, o.Value)))).Distinct())
                .CountBy(x => x.Item2).ToDictionary();
            Assert.True(expectedValues.OrderBy(v => v.Key).SequenceEqual(values.OrderBy(v => v.Key)), $"{because}: option values {Show(values)}, expected {Show(expectedValues)}");
            if (!filter.ByVariant && filter.InStock is null)
            {
                foreach (var (option, count) in values)
                {
                    Assert.Equal(count, await TotalAsync($"/api/v1/products?{filter.Query(option: option)}"));
                }
            }

            // The price range of the matching products' active variants.
            var prices = matching.SelectMany(p => p.Variants.Where(v => v.IsActive).Select(v => v.Price)).ToList();
            var price = facets.GetProperty("price");
            Assert.True(
                (prices.Count > 0 ? prices.Min() : (decimal?)null) == Decimal(price.GetProperty("min")) && (prices.Count > 0 ? prices.Max() : (decimal?)null) == Decimal(price.GetProperty("max")),
                $"{because}: price {price}, expected {(prices.Count > 0 ? $"{prices.Min()}..{prices.Max()}" : "none")}");
        }

        // Guard against a vacuous pass: many random filters must have found something.
        Assert.True(roundsWithResults >= 8, $"seed {seed}: only {roundsWithResults} of 30 filters matched any product");
    }

    /// <summary>A simple product, or one sold in 1 to 4 Size/Color variants (the first one active, the others active or not), each with its price and stock.</summary>
    private static async Task<Item> CreateAsync(TestUser admin, Random random, string sku, string name, Guid categoryId)
    {
        var isActive = random.Next(6) != 0;
        decimal Price() => random.Next(2, 120) / 2m;
        int Stock() => random.Next(3) == 0 ? 0 : random.Next(1, 5);
        if (random.Next(3) == 0)
        {
            var price = Price();
            var simple = await admin.CreateProductAsync(CatalogApi.ProductBody(sku: sku, name: name, price: price, categoryId: categoryId, isActive: isActive));
            var stock = Stock();
            if (stock > 0)
            {
                await admin.SetStockAsync(simple.GetProperty("id").GetGuid(), stock);
            }

            return new Item(simple.GetProperty("id").GetGuid(), name, categoryId, isActive, [new Variant([], price, true, stock)]);
        }

        var combinations = Sizes.SelectMany(s => Colors.Select(c => new Dictionary<string, string> { ["Size"] = s, ["Color"] = c }))
            .OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToList();
        var variants = combinations.Select((o, i) => new Variant(o, Price(), i == 0 || random.Next(3) != 0, Stock())).ToList();
        var product = await admin.CreateProductAsync(new
        {
            sku, name, currency = "USD", categoryId, isActive,
            options = new object[] { new { name = "Size", values = Sizes }, new { name = "Color", values = Colors } },
            variants = variants.Select((v, i) => new { sku = $"{sku}-{i}", optionValues = v.Options, price = v.Price, isActive = v.IsActive }),
        });
        var id = product.GetProperty("id").GetGuid();
        var ids = product.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("id").GetGuid()).ToList();
        foreach (var (variant, variantId) in variants.Zip(ids))
        {
            if (variant.Stock > 0)
            {
                var response = await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/variants/{variantId}/inventory", new { onHand = variant.Stock });
                await Expect.Status(response, HttpStatusCode.OK);
            }
        }

        // Sometimes a variant is repriced, or (not the first, which keeps the product sellable) switched
        // on or off, after it was created: the product's price range follows its variants' changes.
        if (random.Next(2) == 0)
        {
            var i = random.Next(variants.Count);
            var changed = variants[i] with { Price = Price(), IsActive = i == 0 || random.Next(2) == 0 };
            var response = await admin.Client.PutAsJsonAsync($"/api/v1/products/{id}/variants/{ids[i]}",
                new { sku = $"{sku}-{i}", optionValues = changed.Options, price = changed.Price, isActive = changed.IsActive });
            await Expect.Status(response, HttpStatusCode.OK);
            variants[i] = changed;
        }

        return new Item(id, name, categoryId, isActive, variants);
    }

    private async Task<int> TotalAsync(string path) =>
        (await Expect.Json(await shop.Client().GetAsync(path))).GetProperty("totalCount").GetInt32();

    private static decimal? Decimal(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDecimal();

    private static string Show<TKey>(IReadOnlyDictionary<TKey, int> counts) where TKey : notnull =>
        string.Join(", ", counts.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

[Collection(SqliteCollection.Name)]
public sealed class FacetPropertyTestsOnSqlite(SqliteShop shop) : FacetPropertyTests(shop);

[Collection(PostgresCollection.Name), Trait("Category", "Postgres")]
public sealed class FacetPropertyTestsOnPostgres(PostgresShop shop) : FacetPropertyTests(shop);
