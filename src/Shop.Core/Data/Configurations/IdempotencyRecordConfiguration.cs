using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Common;

namespace Shop.Core.Data.Configurations;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Operation).HasMaxLength(64);
        builder.Property(r => r.Key).HasMaxLength(IdempotencyService.MaxKeyLength);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.Property(r => r.ResponseLocation).HasMaxLength(512);
        builder.HasIndex(r => new { r.UserId, r.Operation, r.Key }).IsUnique();
        builder.HasIndex(r => r.ExpiresAt);
    }
}
