using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Users;

namespace Shop.Core.Data.Configurations;

internal sealed class AddressConfiguration : IEntityTypeConfiguration<Address>
{
    public void Configure(EntityTypeBuilder<Address> builder)
    {
        builder.ToTable("addresses");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.FullName).HasMaxLength(AddressLimits.FullName);
        builder.Property(a => a.Line1).HasMaxLength(AddressLimits.Line);
        builder.Property(a => a.Line2).HasMaxLength(AddressLimits.Line);
        builder.Property(a => a.City).HasMaxLength(AddressLimits.City);
        builder.Property(a => a.Region).HasMaxLength(AddressLimits.Region);
        builder.Property(a => a.PostalCode).HasMaxLength(AddressLimits.PostalCode);
        builder.Property(a => a.Country).HasMaxLength(2).IsFixedLength();
        builder.HasIndex(a => a.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
