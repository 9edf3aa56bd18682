using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Orders;
using Shop.Core.Payments;

namespace Shop.Core.Data.Configurations;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("payments", t =>
        {
            t.HasCheckConstraint("ck_payments_amount_positive", "amount_minor > 0");
            t.HasCheckConstraint("ck_payments_refund_within_amount", "refunded_amount_minor >= 0 AND refunded_amount_minor <= amount_minor");
            t.HasCheckConstraint("ck_payments_status", "status IN ('pending', 'succeeded', 'failed', 'refunded')");
        });
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(p => p.Status).HasMaxLength(16);
        builder.Property(p => p.FailureReason).HasMaxLength(64);
        builder.Property(p => p.Provider).HasMaxLength(32);
        builder.Property(p => p.PaymentToken).HasMaxLength(PaymentLimits.Token);
        builder.Property(p => p.ProviderReference).HasMaxLength(64);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.OrderId);
        builder.HasIndex(p => new { p.Status, p.UpdatedAt });
        // The last word on "one live payment per order": two racing POST /payments cannot both insert.
        builder.HasIndex(p => p.OrderId).IsUnique().HasFilter("status IN ('pending', 'succeeded')").HasDatabaseName("ux_payments_live_per_order");
        builder.HasOne<Order>().WithMany().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PaymentRefundConfiguration : IEntityTypeConfiguration<PaymentRefund>
{
    public void Configure(EntityTypeBuilder<PaymentRefund> builder)
    {
        builder.ToTable("payment_refunds", t => t.HasCheckConstraint("ck_payment_refunds_amount_positive", "amount_minor > 0"));
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Reason).HasMaxLength(PaymentLimits.Reason);
        builder.Property(r => r.Status).HasMaxLength(16);
        builder.Property(r => r.ProviderReference).HasMaxLength(64);
        builder.Property(r => r.FailureReason).HasMaxLength(64);
        builder.HasIndex(r => r.PaymentId);
        builder.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProcessedWebhookEventConfiguration : IEntityTypeConfiguration<ProcessedWebhookEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedWebhookEvent> builder)
    {
        builder.ToTable("processed_webhook_events");
        builder.HasKey(e => new { e.Provider, e.EventId });
        builder.Property(e => e.Provider).HasMaxLength(32);
        builder.Property(e => e.EventId).HasMaxLength(128);
        builder.Property(e => e.Type).HasMaxLength(64);
    }
}

internal sealed class SandboxLedgerEntryConfiguration : IEntityTypeConfiguration<SandboxLedgerEntry>
{
    public void Configure(EntityTypeBuilder<SandboxLedgerEntry> builder)
    {
        builder.ToTable("sandbox_ledger");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(8);
        builder.Property(e => e.IdempotencyKey).HasMaxLength(128);
        builder.HasIndex(e => new { e.Kind, e.IdempotencyKey }).IsUnique();
        builder.Property(e => e.ChargeReference).HasMaxLength(64);
        builder.Property(e => e.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(e => e.Token).HasMaxLength(PaymentLimits.Token);
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.FailureReason).HasMaxLength(64);
        builder.Ignore(e => e.Reference);
    }
}
