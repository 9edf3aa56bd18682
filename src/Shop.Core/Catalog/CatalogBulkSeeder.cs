using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Shop.Core.Caching;
using Shop.Core.Data;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Core.Catalog;

/// <summary>What <see cref="CatalogBulkSeeder"/> did.</summary>
public sealed record BulkSeedResult(int CategoriesCreated, int LeafCategories, long ProductsInserted, long SeededProducts);

/// <summary>
/// The <c>seed --products N [--categories M]</c> command: fills the catalog with N generated products
/// (skus <c>SEED-0000001</c> on) spread over M leaf categories (the demo tree's, plus generated shelves
/// when M asks for more). Deterministic: product i is the same on every run and machine (id, name,
/// price, stock, dates), so benchmarks compare like with like. Products already seeded are kept and
/// the rest added, so the command can grow a catalog. PostgreSQL gets binary COPY, SQLite batched
/// inserts, each batch in a transaction of its own with its stock rows.
/// </summary>
public sealed class CatalogBulkSeeder(IServiceScopeFactory scopes, IFusionCache cache)
{
    public const string SkuPrefix = "SEED-";
    private const int Batch = 50_000;
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <param name="progress">Products inserted so far by this run.</param>
    public async Task<BulkSeedResult> SeedAsync(long products, int? leafCategories, IProgress<long> progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(products);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        var (created, leaves) = await EnsureCategoriesAsync(db, leafCategories, cancellationToken);
        var existing = await db.Products.LongCountAsync(p => p.Sku.StartsWith(SkuPrefix), cancellationToken);

        var inserted = 0L;
        for (var first = existing + 1; first <= products; first += Batch)
        {
            // Generated as they are written, never held: memory stays flat however large the catalog.
            var count = (int)Math.Min(Batch, products - first + 1);
            var start = first;
            var rows = Enumerable.Range(0, count).Select(n => NewProduct(start + n, leaves));
            var done = inserted;
            await (db.Database.IsNpgsql()
                ? CopyAsync(db, rows, n => progress.Report(done + n), cancellationToken)
                : InsertAsync(db, rows, n => progress.Report(done + n), cancellationToken));
            inserted += count;
            progress.Report(inserted);
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE products; ANALYZE inventory; ANALYZE categories;", cancellationToken);
        }

        // Running APIs (with Redis, every one of them) drop the lists and the tree they cached.
        await cache.RemoveByTagAsync([CacheKeys.Tags.ProductLists, CacheKeys.Tags.Categories], token: cancellationToken);
        return new BulkSeedResult(created, leaves.Count, inserted, Math.Max(existing, products));
    }

    private static Product NewProduct(long i, IReadOnlyList<Category> leaves)
    {
        var leaf = leaves[(int)((i - 1) % leaves.Count)];
        var noun = CatalogSeeder.Singular(leaf.Name.Split(' ')[^1]);
        var name = $"{CatalogSeeder.Adjectives[(int)(i * 7 % CatalogSeeder.Adjectives.Length)]} " +
                   $"{CatalogSeeder.Materials[(int)(i * 13 % CatalogSeeder.Materials.Length)]} {noun} {i}";
        var onHand = i % 10 == 3 ? 0 : (int)(1 + i * 97 % 249);
        var created = Epoch.AddSeconds(-i);
        var product = new Product
        {
            Id = Guid.Parse($"00000000-5eed-7000-8000-{i:D12}", CultureInfo.InvariantCulture),
            Sku = $"{SkuPrefix}{i:D7}",
            Slug = $"{Slugs.FromName(name, "product")}-s",
            Name = name,
            Description = $"{name}, from our {leaf.Name.ToLowerInvariant()} range. {CatalogSeeder.Blurbs[(int)(i % CatalogSeeder.Blurbs.Length)]}",
            PriceMinor = 100 + i * 7919 % 50_000,
            Currency = "USD",
            CategoryId = leaf.Id,
            ImageUrls = [$"https://images.example.com/seed/{i}.jpg"],
            CreatedAt = created,
            UpdatedAt = created,
        };
        product.Variants = [ProductService.DefaultVariant(product, onHand, created)];
        ProductService.Reprice(product);
        return product;
    }

    /// <summary>The demo tree (created where missing), its leaves in order, then generated shelves up to <paramref name="wanted"/>.</summary>
    private static async Task<(int Created, IReadOnlyList<Category> Leaves)> EnsureCategoriesAsync(ShopDbContext db, int? wanted, CancellationToken cancellationToken)
    {
        var bySlug = await db.Categories.ToDictionaryAsync(c => c.Slug, StringComparer.Ordinal, cancellationToken);
        var created = 0;
        Category Ensure(string name, string slug, Guid? parentId)
        {
            if (!bySlug.TryGetValue(slug, out var category))
            {
                category = new Category { Name = name, Slug = slug, ParentId = parentId, CreatedAt = Epoch, UpdatedAt = Epoch };
                db.Categories.Add(category);
                bySlug[slug] = category;
                created++;
            }

            return category;
        }

        var leaves = new List<Category>();
        var middles = new List<Category>();
        foreach (var (top, children) in CatalogSeeder.Tree)
        {
            var root = Ensure(top, Slugs.FromName(top, "category"), null);
            foreach (var (name, leafNames) in children)
            {
                var middle = Ensure(name, Slugs.FromName(name, "category"), root.Id);
                middles.Add(middle);
                leaves.AddRange(leafNames.Select(leaf => Ensure(leaf, Slugs.FromName(leaf, "category"), middle.Id)));
            }
        }

        for (var n = 1; leaves.Count < (wanted ?? 0); n++)
        {
            var middle = middles[(n - 1) % middles.Count];
            leaves.Add(Ensure($"{middle.Name} Shelf {n}", $"{middle.Slug}-shelf-{n}", middle.Id));
        }

        if (wanted is { } count && count < leaves.Count)
        {
            leaves.RemoveRange(count, leaves.Count - count);
        }

        if (created > 0)
        {
            db.Invalidates([CacheKeys.Tags.Categories]);
            await db.SaveChangesAsync(cancellationToken);
        }

        return (created, leaves);
    }

    /// <summary>Both tables in one transaction; <paramref name="rows"/> is enumerated twice (it is deterministic).</summary>
    private static async Task CopyAsync(ShopDbContext db, IEnumerable<Product> rows, Action<int> progress, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY products (id, sku, slug, name, description, price_minor, max_price_minor, currency, category_id, image_urls, is_active, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            var n = 0;
            foreach (var p in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(p.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(p.Sku, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(p.Slug, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(p.Name, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(p.Description!, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(p.PriceMinor, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(p.MaxPriceMinor, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(p.Currency, NpgsqlDbType.Char, cancellationToken);
                await copy.WriteAsync(p.CategoryId!.Value, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(p.ImageUrls, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(p.IsActive, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(p.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(p.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(p.Version, NpgsqlDbType.Bigint, cancellationToken);
                if (++n % 5_000 == 0)
                {
                    progress(n / 2); // the stock rows are the other half of the batch's work
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        // Each product's one variant (the product's id, sku and price, no option values), then its stock.
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY product_variants (id, product_id, sku, option_values, option_key, price_minor, currency, is_active, position, created_at, updated_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var v in rows.Select(p => p.Variants[0]))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(v.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(v.ProductId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(v.Sku, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync("{}", NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(v.OptionKey, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(v.PriceMinor, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(v.Currency, NpgsqlDbType.Char, cancellationToken);
                await copy.WriteAsync(v.IsActive, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(v.Position, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(v.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(v.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY inventory (variant_id, product_id, on_hand, reserved, low_stock_threshold, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var i in rows.Select(p => p.Variants[0].Inventory!))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(i.VariantId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(i.ProductId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(i.OnHand, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(i.LowStockThreshold, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(i.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task InsertAsync(ShopDbContext db, IEnumerable<Product> rows, Action<int> progress, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = 0;
        foreach (var chunk in rows.Chunk(5_000))
        {
            db.Products.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            progress(done += chunk.Length);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
