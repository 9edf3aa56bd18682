using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Orders;
using Shop.Core.Pricing;
using Shop.Core.Users;

namespace Shop.Core.Data.Configurations;

internal sealed class DiscountConfiguration : IEntityTypeConfiguration<Discount>
{
    public void Configure(EntityTypeBuilder<Discount> builder)
    {
        builder.ToTable("discounts", t => t.HasCheckConstraint("ck_discounts_usage", "usage_count >= 0 AND (usage_limit IS NULL OR usage_count <= usage_limit)"));
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Code).HasMaxLength(PricingLimits.CodeMaxLength);
        builder.Property(d => d.NormalizedCode).HasMaxLength(PricingLimits.CodeMaxLength);
        builder.HasIndex(d => d.NormalizedCode).IsUnique();
        builder.Property(d => d.Type).HasConversion(t => t.Name(), t => DiscountTypes.Parse(t)).HasMaxLength(16);
        builder.Property(d => d.ProductIds).HasJsonConversion().HasDefaultValueSql("'[]'");
        builder.Property(d => d.CategoryIds).HasJsonConversion().HasDefaultValueSql("'[]'");
        builder.HasIndex(d => d.CreatedAt);
    }
}

internal sealed class DiscountRedemptionConfiguration : IEntityTypeConfiguration<DiscountRedemption>
{
    public void Configure(EntityTypeBuilder<DiscountRedemption> builder)
    {
        builder.ToTable("discount_redemptions");
        builder.HasKey(r => r.Id);
        builder.HasOne<Discount>().WithMany().HasForeignKey(r => r.DiscountId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => r.OrderId).IsUnique();
        // A code meant once per customer: a second use by the same customer cannot be written, whatever the concurrency.
        builder.HasIndex(r => new { r.DiscountId, r.UserId }).IsUnique().HasFilter("once_per_customer").HasDatabaseName("ux_discount_redemptions_once_per_customer");
    }
}

internal sealed class ShippingMethodConfiguration : IEntityTypeConfiguration<ShippingMethod>
{
    public void Configure(EntityTypeBuilder<ShippingMethod> builder)
    {
        builder.ToTable("shipping_methods", t => t.HasCheckConstraint("ck_shipping_methods_price", "price_minor >= 0"));
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(PricingLimits.ShippingMethodName);
        builder.Property(m => m.Countries).HasJsonConversion().HasDefaultValueSql("'[]'");
    }
}

internal sealed class TaxRateConfiguration : IEntityTypeConfiguration<TaxRate>
{
    public void Configure(EntityTypeBuilder<TaxRate> builder)
    {
        builder.ToTable("tax_rates", t => t.HasCheckConstraint("ck_tax_rates_rate", "rate >= 0 AND rate <= 1"));
        builder.HasKey(r => r.Country);
        builder.Property(r => r.Country).HasMaxLength(2).IsFixedLength();
        builder.Property(r => r.Rate).HasPrecision(7, PricingLimits.MaxTaxRateDecimals);
        builder.Property(r => r.Name).HasMaxLength(PricingLimits.TaxRateName);
    }
}
