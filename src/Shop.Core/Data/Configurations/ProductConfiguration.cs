using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Catalog;

namespace Shop.Core.Data.Configurations;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.ToTable("products", t =>
        {
            t.HasCheckConstraint("ck_products_price_positive", "price_minor > 0");
            t.HasCheckConstraint("ck_products_version_positive", "version > 0");
        });
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Sku).HasMaxLength(CatalogLimits.Sku);
        builder.HasIndex(p => p.Sku).IsUnique();
        builder.Property(p => p.Slug).HasMaxLength(Slugs.MaxLength);
        builder.HasIndex(p => p.Slug).IsUnique();
        builder.Property(p => p.Name).HasMaxLength(CatalogLimits.ProductName);
        builder.Property(p => p.Description).HasMaxLength(CatalogLimits.Description);
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(p => p.Version).IsConcurrencyToken();

        // Both expressions are valid SQL on SQLite and PostgreSQL; the database keeps them current,
        // so no code path can forget to. PostgreSQL-only collation and index method: ShopDbContext.
        builder.Property(p => p.SortName).HasComputedColumnSql("lower(name)", stored: true);
        builder.Property(p => p.SearchText).HasComputedColumnSql("lower(sku || ' ' || name || ' ' || coalesce(description, ''))", stored: true);

        builder.HasIndex(p => new { p.IsActive, p.SortName });
        builder.HasIndex(p => new { p.IsActive, p.PriceMinor });
        builder.HasIndex(p => new { p.IsActive, p.CreatedAt });
        builder.HasIndex(p => p.CategoryId);
        builder.HasOne<Category>().WithMany().HasForeignKey(p => p.CategoryId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(p => p.Options).HasJsonConversion()
            .HasDefaultValueSql("'[]'");
        builder.HasMany(p => p.Variants).WithOne().HasForeignKey(v => v.ProductId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProductVariantConfiguration : IEntityTypeConfiguration<ProductVariant>
{
    public void Configure(EntityTypeBuilder<ProductVariant> builder)
    {
        builder.ToTable("product_variants", t => t.HasCheckConstraint("ck_product_variants_price_positive", "price_minor > 0"));
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Sku).HasMaxLength(CatalogLimits.Sku);
        builder.HasIndex(v => v.Sku).IsUnique();
        builder.Property(v => v.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(v => v.OptionValues).HasJsonConversion();
        // No two variants of a product with the same option values, however two requests race.
        builder.Property(v => v.OptionKey).HasMaxLength(CatalogLimits.OptionKey);
        builder.HasIndex(v => new { v.ProductId, v.OptionKey }).IsUnique();
        // "inStock", price filters and sums over a product's variants.
        builder.HasIndex(v => new { v.ProductId, v.IsActive, v.PriceMinor });
        builder.HasOne(v => v.Inventory).WithOne().HasForeignKey<Inventory>(i => i.VariantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(v => v.OptionRows).WithOne().HasForeignKey(o => o.VariantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VariantOptionValueConfiguration : IEntityTypeConfiguration<VariantOptionValue>
{
    public void Configure(EntityTypeBuilder<VariantOptionValue> builder)
    {
        builder.ToTable("variant_option_values");
        builder.HasKey(o => new { o.VariantId, o.Name });
        builder.Property(o => o.Name).HasMaxLength(CatalogLimits.OptionName);
        builder.Property(o => o.Value).HasMaxLength(CatalogLimits.OptionValue);
        // "option=Size:M" filters and the facet counts per value.
        builder.HasIndex(o => new { o.Name, o.Value, o.ProductId });
        builder.HasOne<Product>().WithMany().HasForeignKey(o => o.ProductId).OnDelete(DeleteBehavior.Cascade);
    }
}
