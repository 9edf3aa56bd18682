using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Catalog;

namespace Shop.Core.Data.Configurations;

internal sealed class InventoryConfiguration : IEntityTypeConfiguration<Inventory>
{
    public void Configure(EntityTypeBuilder<Inventory> builder)
    {
        // The last line of defence against overselling: whatever the code does, the database
        // refuses a row with negative stock or more reserved than on hand.
        builder.ToTable("inventory", t =>
        {
            t.HasCheckConstraint("ck_inventory_on_hand_non_negative", "on_hand >= 0");
            t.HasCheckConstraint("ck_inventory_reserved_non_negative", "reserved >= 0");
            t.HasCheckConstraint("ck_inventory_reserved_within_on_hand", "reserved <= on_hand");
            t.HasCheckConstraint("ck_inventory_threshold_non_negative", "low_stock_threshold >= 0");
        });
        builder.HasKey(i => i.VariantId);
        builder.HasIndex(i => i.ProductId);
        builder.HasOne<Product>().WithMany().HasForeignKey(i => i.ProductId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(i => i.Available);
    }
}

internal sealed class InventoryAdjustmentConfiguration : IEntityTypeConfiguration<InventoryAdjustment>
{
    public void Configure(EntityTypeBuilder<InventoryAdjustment> builder)
    {
        builder.ToTable("inventory_adjustments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Reason).HasMaxLength(CatalogLimits.Reason);
        builder.HasIndex(a => new { a.ProductId, a.CreatedAt });
        builder.HasIndex(a => new { a.VariantId, a.CreatedAt });
        builder.HasOne<Product>().WithMany().HasForeignKey(a => a.ProductId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ProductVariant>().WithMany().HasForeignKey(a => a.VariantId).OnDelete(DeleteBehavior.Cascade);
    }
}
