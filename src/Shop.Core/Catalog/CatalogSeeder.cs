using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Core.Data;

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
                db.Products.Add(product);
                products++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        LogSeeded(logger, db.Categories.Local.Count, products);
    }

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
