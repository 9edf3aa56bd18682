using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Catalog;
using Shop.Core.Common;
using Shop.Core.Orders;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Core.Data.Configurations;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        // A 100% discount with free shipping makes a total of 0; the parts always add up to it.
        builder.ToTable("orders", t =>
        {
            t.HasCheckConstraint("ck_orders_total_positive", "total_minor >= 0 AND subtotal_minor > 0");
            t.HasCheckConstraint("ck_orders_total_sum", "total_minor = subtotal_minor - discount_total_minor + shipping_total_minor + tax_total_minor");
        });
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Number).HasMaxLength(16);
        builder.HasIndex(o => o.Number).IsUnique();
        builder.Property(o => o.Status).HasConversion(s => s.Name(), s => OrderStatuses.Parse(s)).HasMaxLength(24);
        builder.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(o => o.Carrier).HasMaxLength(OrderLimits.Carrier);
        builder.Property(o => o.TrackingNumber).HasMaxLength(OrderLimits.TrackingNumber);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.Property(o => o.DiscountCode).HasMaxLength(PricingLimits.CodeMaxLength);
        builder.Property(o => o.ShippingMethodName).HasMaxLength(PricingLimits.ShippingMethodName);
        builder.Property(o => o.Email).HasMaxLength(ValidationRules.MaxEmailLength);
        // A discount that an order used is deactivated, never deleted.
        builder.HasOne<Discount>().WithMany().HasForeignKey(o => o.DiscountId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(o => o.DiscountId);
        builder.HasIndex(o => new { o.UserId, o.CreatedAt });
        builder.HasIndex(o => new { o.Status, o.CreatedAt });
        builder.HasIndex(o => o.CreatedAt);
        builder.OwnsOne(o => o.ShippingAddress, ShippingAddressColumns.Configure);
        builder.HasOne<User>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(o => o.History).WithOne().HasForeignKey(h => h.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The columns of a copied shipping address, the same on an order and a cart.</summary>
internal static class ShippingAddressColumns
{
    public static void Configure<TOwner>(OwnedNavigationBuilder<TOwner, ShippingAddress> a) where TOwner : class
    {
        a.Property(x => x.FullName).HasMaxLength(AddressLimits.FullName);
        a.Property(x => x.Line1).HasMaxLength(AddressLimits.Line);
        a.Property(x => x.Line2).HasMaxLength(AddressLimits.Line);
        a.Property(x => x.City).HasMaxLength(AddressLimits.City);
        a.Property(x => x.Region).HasMaxLength(AddressLimits.Region);
        a.Property(x => x.PostalCode).HasMaxLength(AddressLimits.PostalCode);
        a.Property(x => x.Country).HasMaxLength(2).IsFixedLength();
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> builder)
    {
        builder.ToTable("order_lines", t => t.HasCheckConstraint("ck_order_lines_quantity", "quantity > 0"));
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Sku).HasMaxLength(CatalogLimits.Sku);
        builder.Property(l => l.Name).HasMaxLength(CatalogLimits.ProductName);
        builder.HasIndex(l => l.OrderId);
        // An ordered product can never be deleted, only deactivated: the order keeps pointing at it.
        builder.HasIndex(l => l.ProductId);
        builder.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId).OnDelete(DeleteBehavior.Restrict);
        // Likewise an ordered variant: deactivated, never deleted.
        builder.HasIndex(l => l.VariantId);
        builder.HasOne<ProductVariant>().WithMany().HasForeignKey(l => l.VariantId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(l => l.OptionValues).HasJsonConversion()
            .HasDefaultValueSql("'{}'");
    }
}

internal sealed class OrderStatusChangeConfiguration : IEntityTypeConfiguration<OrderStatusChange>
{
    public void Configure(EntityTypeBuilder<OrderStatusChange> builder)
    {
        builder.ToTable("order_status_changes");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Status).HasConversion(s => s.Name(), s => OrderStatuses.Parse(s)).HasMaxLength(24);
        builder.Property(h => h.Actor).HasMaxLength(16);
        builder.Property(h => h.Note).HasMaxLength(OrderLimits.Note);
        builder.HasIndex(h => h.OrderId);
    }
}
