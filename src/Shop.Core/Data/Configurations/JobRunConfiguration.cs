using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Core.Jobs;

namespace Shop.Core.Data.Configurations;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Job).HasMaxLength(100);
        builder.Property(r => r.Node).HasMaxLength(300);
        builder.HasIndex(r => new { r.Job, r.Occurrence }).IsUnique();
        builder.HasIndex(r => r.StartedAt);
    }
}
