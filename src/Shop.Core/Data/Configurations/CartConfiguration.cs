using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Carts;
using Shop.Core.Catalog;
using Shop.Core.Users;

namespace Shop.Core.Data.Configurations;

internal sealed class CartConfiguration : IEntityTypeConfiguration<Cart>
{
    public void Configure(EntityTypeBuilder<Cart> builder)
    {
        builder.ToTable("carts");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Email).HasMaxLength(Common.ValidationRules.MaxEmailLength);
        builder.Property(c => c.DiscountCode).HasMaxLength(Pricing.PricingLimits.CodeMaxLength);
        builder.Property(c => c.Version).IsConcurrencyToken();
        builder.Ignore(c => c.IsClosed);
        builder.HasIndex(c => c.UserId);
        // The expiry job finds carts untouched for Carts:Lifetime.
        builder.HasIndex(c => c.UpdatedAt);
        builder.HasIndex(c => c.OrderId).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.OwnsOne(c => c.ShippingAddress, ShippingAddressColumns.Configure);
        builder.HasMany(c => c.Lines).WithOne().HasForeignKey(l => l.CartId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CartLineConfiguration : IEntityTypeConfiguration<CartLine>
{
    public void Configure(EntityTypeBuilder<CartLine> builder)
    {
        builder.ToTable("cart_lines", t => t.HasCheckConstraint("ck_cart_lines_quantity", "quantity > 0"));
        builder.HasKey(l => l.Id);
        // One line per variant: adding a variant again adds to its line.
        builder.HasIndex(l => new { l.CartId, l.VariantId }).IsUnique();
        builder.HasIndex(l => l.VariantId);
        // A variant deleted from the catalog leaves the carts that held it.
        builder.HasOne<ProductVariant>().WithMany().HasForeignKey(l => l.VariantId).OnDelete(DeleteBehavior.Cascade);
    }
}
