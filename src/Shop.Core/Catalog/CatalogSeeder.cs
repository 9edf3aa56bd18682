using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Core.Data;
using Shop.Core.Pricing;

namespace Shop.Core.Catalog;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Fill an empty catalog with demo categories and products at start-up.</summary>
    public bool DemoData { get; set; }
}

/// <summary>
/// A believable demo catalog: categories three levels deep and a few hundred products with
/// varied prices and stock. Deterministic (fixed random seed), and only into an empty catalog.
/// </summary>
public sealed partial class CatalogSeeder(ShopDbContext db, IOptions<SeedOptions> options, TimeProvider clock, ILogger<CatalogSeeder> logger)
{
    internal static readonly (string Top, (string Name, string[] Leaves)[] Children)[] Tree =
    [
        ("Electronics", [("Audio", ["Headphones", "Speakers"]), ("Computers", ["Laptops", "Keyboards", "Monitors"]), ("Phones", ["Chargers", "Cases"])]),
        ("Home & Kitchen", [("Cookware", ["Pans", "Knives"]), ("Furniture", ["Chairs", "Tables"]), ("Lighting", ["Lamps"])]),
        ("Clothing", [("Men", ["Men's Shirts", "Men's Shoes"]), ("Women", ["Women's Dresses", "Women's Shoes"]), ("Kids", ["Kids' Jackets"])]),
        ("Sports & Outdoors", [("Camping", ["Tents", "Sleeping Bags"]), ("Cycling", ["Bike Lights", "Helmets"]), ("Fitness", ["Yoga Mats", "Dumbbells"])]),
        ("Books", [("Fiction", ["Mystery", "Science Fiction"]), ("Non-fiction", ["Cooking", "History"])]),
    ];

    private static readonly string[] ApparelSizes = ["S", "M", "L", "XL"];

    /// <summary>Demo products sold in variants: apparel in sizes and colours, devices in storage sizes.</summary>
    private static readonly (string Leaf, string Name, string Sku, (string Name, string[] Values)[] Options, Func<IReadOnlyDictionary<string, string>, long> PriceMinor)[] WithOptions =
    [
        ("Men's Shirts", "Oxford Shirt", "DEMO-OXF", [("Size", ApparelSizes), ("Color", ["White", "Blue", "Pink"])], v => v["Size"] == "XL" ? 4_499 : 3_999),
        ("Women's Dresses", "Linen Wrap Dress", "DEMO-LWD", [("Size", ["XS", "S", "M", "L"]), ("Color", ["Sand", "Navy"])], _ => 7_900),
        ("Kids' Jackets", "Rain Jacket", "DEMO-RJK", [("Size", ["4Y", "6Y", "8Y", "10Y"]), ("Color", ["Yellow", "Red"])], v => v["Size"] is "8Y" or "10Y" ? 3_400 : 2_900),
        ("Men's Shoes", "Canvas Sneaker", "DEMO-CSN", [("Size", ["41", "42", "43", "44", "45"]), ("Color", ["White", "Black"])], _ => 5_500),
        ("Laptops", "Ultrabook 14", "DEMO-UB14", [("Storage", ["256 GB", "512 GB", "1 TB"]), ("Color", ["Silver", "Graphite"])],
            v => v["Storage"] switch { "256 GB" => 99_900, "512 GB" => 119_900, _ => 149_900 }),
        ("Chargers", "Power Bank", "DEMO-PWB", [("Capacity", ["10000 mAh", "20000 mAh"])], v => v["Capacity"] == "10000 mAh" ? 2_499 : 3_999),
    ];

    internal static readonly string[] Adjectives =
        ["Classic", "Compact", "Deluxe", "Eco", "Essential", "Heritage", "Lightweight", "Modern", "Nordic", "Premium", "Pro", "Rugged", "Smart", "Urban", "Vintage"];

    internal static readonly string[] Materials = ["Oak", "Steel", "Cotton", "Bamboo", "Carbon", "Wool", "Leather", "Ceramic", "Linen", "Aluminium"];

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DemoData || await db.Categories.AnyAsync(cancellationToken) || await db.Products.AnyAsync(cancellationToken))
        {
            return;
        }

        var random = new Random(20261124);
        var now = clock.GetUtcNow().UtcDateTime;
        var leaves = new List<Category>();
        foreach (var (top, children) in Tree)
        {
            var root = NewCategory(top, null, now);
            foreach (var (name, leafNames) in children)
            {
                var middle = NewCategory(name, root.Id, now);
                leaves.AddRange(leafNames.Select(leaf => NewCategory(leaf, middle.Id, now)));
            }
        }

        var products = 0;
        foreach (var (leaf, index) in leaves.Select((leaf, index) => (leaf, index)))
        {
            var count = 10 + random.Next(8);
            for (var n = 1; n <= count; n++)
            {
                var noun = Singular(leaf.Name.Split(' ')[^1]);
                var name = $"{Adjectives[random.Next(Adjectives.Length)]} {Materials[random.Next(Materials.Length)]} {noun} {(char)('A' + random.Next(26))}{random.Next(100, 999)}";
                var onHand = random.Next(10) == 0 ? 0 : random.Next(1, 250);
                var product = new Product
                {
                    Sku = $"DEMO-{index + 1:D2}-{n:D3}",
                    Slug = $"{Slugs.FromName(name, "product")}-{index + 1:D2}{n:D3}",
                    Name = name,
                    Description = $"{name}, from our {leaf.Name.ToLowerInvariant()} range. {Blurbs[random.Next(Blurbs.Length)]}",
                    PriceMinor = (long)(random.Next(3, 400) * 100 + (random.Next(2) == 0 ? 99 : 49)),
                    Currency = "USD",
                    CategoryId = leaf.Id,
                    ImageUrls = [$"https://images.example.com/demo/{index + 1:D2}-{n:D3}.jpg"],
                    CreatedAt = now.AddMinutes(-random.Next(60 * 24 * 90)),
                    UpdatedAt = now,
                };
                product.Variants = [ProductService.DefaultVariant(product, onHand, now)];
                ProductService.Reprice(product);
                db.Products.Add(product);
                products++;
            }
        }

        foreach (var (leafName, name, sku, productOptions, priceMinor) in WithOptions)
        {
            var leaf = leaves.Single(l => l.Name == leafName);
            var product = new Product
            {
                Sku = sku,
                Slug = Slugs.FromName(name, "product"),
                Name = name,
                Description = $"{name}, in every size and colour of our {leaf.Name.ToLowerInvariant()} range. {Blurbs[random.Next(Blurbs.Length)]}",
                Currency = "USD",
                CategoryId = leaf.Id,
                ImageUrls = [$"https://images.example.com/demo/{sku.ToLowerInvariant()}.jpg"],
                CreatedAt = now.AddMinutes(-random.Next(60 * 24 * 90)),
                UpdatedAt = now,
                Options = [.. productOptions.Select(o => new ProductOption(o.Name, o.Values))],
            };
            var combinations = productOptions.Aggregate((IEnumerable<Dictionary<string, string>>)[[]], (sets, option) =>
                sets.SelectMany(set => option.Values.Select(value => new Dictionary<string, string>(set) { [option.Name] = value })));
            product.Variants = [.. combinations.Select((values, position) =>
            {
                var variant = ProductService.NewVariant(product, $"{sku}-{string.Join('-', values.Values.Select(v => v.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()))}",
                    priceMinor(values), isActive: true, position, values, now);
                variant.Inventory!.OnHand = random.Next(6) == 0 ? 0 : random.Next(1, 60);
                return variant;
            })];
            ProductService.Reprice(product);
            db.Products.Add(product);
            products++;
        }

        SeedPricing(now);
        await db.SaveChangesAsync(cancellationToken);
        LogSeeded(logger, db.Categories.Local.Count, products);
    }

    /// <summary>Two shipping methods, two tax rates and a welcome code, so that a demo cart shows every part of a price.</summary>
    private void SeedPricing(DateTime now)
    {
        db.ShippingMethods.Add(new ShippingMethod { Name = "Standard", PriceMinor = 499, FreeAboveSubtotalMinor = 5000, CreatedAt = now, UpdatedAt = now });
        db.ShippingMethods.Add(new ShippingMethod { Name = "Express", PriceMinor = 1499, Countries = ["CA", "DE", "FR", "GB", "NL", "US"], CreatedAt = now, UpdatedAt = now });
        db.TaxRates.Add(new TaxRate { Country = "GB", Rate = 0.2m, Name = "VAT", AppliesToShipping = true, UpdatedAt = now });
        db.TaxRates.Add(new TaxRate { Country = "DE", Rate = 0.19m, Name = "MwSt", AppliesToShipping = true, UpdatedAt = now });
        db.Discounts.Add(new Discount
        {
            Code = DemoCode, NormalizedCode = DemoCode, Type = DiscountType.Percentage, ValueHundredths = 1000, OncePerCustomer = true, CreatedAt = now, UpdatedAt = now,
        });
    }

    /// <summary>The demo discount code: 10% off, once per customer.</summary>
    public const string DemoCode = "WELCOME10";

    internal static readonly string[] Blurbs =
        ["Built to last.", "A customer favourite.", "Designed in-house.", "Limited run.", "Made from recycled materials.", "Ships in plastic-free packaging."];

    internal static string Singular(string word) =>
        word.EndsWith("sses", StringComparison.Ordinal) ? word[..^2]
        : word.EndsWith("ives", StringComparison.Ordinal) ? word[..^3] + "ife"
        : word.TrimEnd('s');

    private Category NewCategory(string name, Guid? parentId, DateTime now)
    {
        var category = new Category { Name = name, Slug = Slugs.FromName(name, "category"), ParentId = parentId, CreatedAt = now, UpdatedAt = now };
        db.Categories.Add(category);
        return category;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the demo catalog: {Categories} categories, {Products} products")]
    private static partial void LogSeeded(ILogger logger, int categories, int products);
}
