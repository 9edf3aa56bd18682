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
        builder.HasOne(p => p.Inventory).WithOne().HasForeignKey<Inventory>(i => i.ProductId).OnDelete(DeleteBehavior.Cascade);
    }
}
