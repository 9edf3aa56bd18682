using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Common;
using Shop.Core.Users;

namespace Shop.Core.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Email).HasMaxLength(ValidationRules.MaxEmailLength);
        builder.Property(u => u.NormalizedEmail).HasMaxLength(ValidationRules.MaxEmailLength);
        builder.HasIndex(u => u.NormalizedEmail).IsUnique();
        builder.Property(u => u.PasswordHash).HasMaxLength(100);
        builder.Property(u => u.FullName).HasMaxLength(UserLimits.FullName);
        builder.Property(u => u.Phone).HasMaxLength(UserLimits.Phone);
        builder.Property(u => u.Role).HasMaxLength(16);
        builder.HasIndex(u => u.Role);
        builder.ToTable(t => t.HasCheckConstraint("ck_users_role", "role IN ('customer', 'admin')"));
    }
}
