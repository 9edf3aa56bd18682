using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Notifications;

namespace Shop.Core.Data.Configurations;

internal sealed class SentEmailConfiguration : IEntityTypeConfiguration<SentEmail>
{
    public void Configure(EntityTypeBuilder<SentEmail> builder)
    {
        builder.ToTable("sent_emails");
        builder.HasKey(e => e.Key);
        builder.Property(e => e.Key).HasMaxLength(400);
        builder.Property(e => e.Recipient).HasMaxLength(254);
        builder.HasIndex(e => e.SentAt);
    }
}
