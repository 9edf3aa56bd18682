using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Notifications;
using Shop.Core.Orders;
using Shop.Core.Payments;
using Shop.Core.Users;

namespace Shop.Core.Data;

public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<Address> Addresses => Set<Address>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<ProductVariant> Variants => Set<ProductVariant>();
    public DbSet<VariantOptionValue> VariantOptionValues => Set<VariantOptionValue>();
    public DbSet<Inventory> Inventory => Set<Inventory>();
    public DbSet<InventoryAdjustment> InventoryAdjustments => Set<InventoryAdjustment>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentRefund> PaymentRefunds => Set<PaymentRefund>();
    public DbSet<ProcessedWebhookEvent> ProcessedWebhookEvents => Set<ProcessedWebhookEvent>();
    public DbSet<SandboxLedgerEntry> SandboxLedger => Set<SandboxLedgerEntry>();
    public DbSet<SentEmail> SentEmails => Set<SentEmail>();
    public DbSet<Jobs.JobRun> JobRuns => Set<Jobs.JobRun>();
    public DbSet<Pricing.Discount> Discounts => Set<Pricing.Discount>();
    public DbSet<Pricing.DiscountRedemption> DiscountRedemptions => Set<Pricing.DiscountRedemption>();
    public DbSet<Pricing.ShippingMethod> ShippingMethods => Set<Pricing.ShippingMethod>();
    public DbSet<Pricing.TaxRate> TaxRates => Set<Pricing.TaxRate>();
    public DbSet<Carts.Cart> Carts => Set<Carts.Cart>();
    public DbSet<Carts.CartLine> CartLines => Set<Carts.CartLine>();

    private readonly HashSet<string> _invalidatedTags = [];

    /// <summary>
    /// Names the cached entries (by tag, from <see cref="Caching.CacheKeys.Tags"/>) that this unit of
    /// work changes: <see cref="Caching.CacheInvalidation"/> evicts them everywhere once it commits.
    /// </summary>
    public void Invalidates(params IEnumerable<string> tags) => _invalidatedTags.UnionWith(tags);

    internal IReadOnlyCollection<string> TakeInvalidatedTags()
    {
        var tags = _invalidatedTags.ToArray();
        _invalidatedTags.Clear();
        return tags;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ShopDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            ConfigurePostgres(modelBuilder);
        }
    }

    /// <summary>What only PostgreSQL has: trigram search index, byte-order collation for name sorting, a covering index.</summary>
    private static void ConfigurePostgres(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");
        var product = modelBuilder.Entity<Product>();
        // SQLite compares text by bytes (BINARY); "C" makes PostgreSQL do the same, whatever the server's locale.
        product.Property(p => p.SortName).UseCollation("C");
        // "q" is a substring match (LIKE '%term%'), which a trigram GIN index serves.
        product.HasIndex(p => p.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
        // Facets read the id and category of every product a filter finds, and list totals count them:
        // from this index alone (an index-only scan), not from the product rows, which are wide.
        product.HasIndex(p => p.CategoryId).IncludeProperties(p => new { p.Id, p.IsActive });
        // A list page is found by ids first (ProductCatalog): walking a sort's index, the filters' columns
        // (category; the price range, which refuses a product whose variants' prices all miss the filter's;
        // the id for the variants' EXISTS) come from the index too, and no product row is read for a
        // product the filter refuses.
        product.HasIndex(p => new { p.IsActive, p.SortName }).IncludeProperties(p => new { p.Id, p.CategoryId, p.PriceMinor, p.MaxPriceMinor });
        product.HasIndex(p => new { p.IsActive, p.PriceMinor }).IncludeProperties(p => new { p.Id, p.CategoryId, p.MaxPriceMinor });
        // The same for the products whose variants' prices differ: a cheapest-first page from a price floor
        // walks the index above from the floor and this one for those whose lowest price is below it.
        product.HasIndex(p => new { p.IsActive, p.PriceMinor }, "VariedPrices").HasDatabaseName("ix_products_varied_prices")
            .HasFilter("price_minor < max_price_minor").IncludeProperties(p => new { p.Id, p.CategoryId, p.MaxPriceMinor });
        product.HasIndex(p => new { p.IsActive, p.CreatedAt }).IncludeProperties(p => new { p.Id, p.CategoryId, p.PriceMinor, p.MaxPriceMinor });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC. SQLite stores DateTime as text and hands it back as Unspecified;
        // marking it UTC on the way out keeps the "Z" in JSON on both providers.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
