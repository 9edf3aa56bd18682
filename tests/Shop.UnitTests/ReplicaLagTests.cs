using NpgsqlTypes;
using Shop.Core.Data;

namespace Shop.UnitTests;

/// <summary>How far behind a standby is, from the primary's WAL positions sampled once per check.</summary>
public sealed class ReplicaLagTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    // One sample per second for 10 s; the primary wrote 100 bytes of WAL each second unless idle.
    private static List<(DateTimeOffset, NpgsqlLogSequenceNumber)> Samples(bool idle) =>
        [.. Enumerable.Range(0, 11).Select(s => (Start.AddSeconds(s), new NpgsqlLogSequenceNumber(1000UL + (idle ? 0UL : (ulong)s * 100))))];

    [Fact]
    public void A_standby_of_an_idle_primary_is_current_however_long_ago_the_last_write_was()
    {
        var status = ReplicaLag.Assess(Samples(idle: true), inRecovery: true, new NpgsqlLogSequenceNumber(1000), Start.AddSeconds(10), Bound);

        Assert.True(status.Usable);
        Assert.Equal(Start.AddSeconds(10), status.FreshAsOf);
    }

    [Fact]
    public void A_standby_is_fresh_as_of_the_newest_primary_position_it_has_replayed()
    {
        // Replayed up to what the primary had at second 7 (and a little more): 3 s behind at second 10.
        var status = ReplicaLag.Assess(Samples(idle: false), inRecovery: true, new NpgsqlLogSequenceNumber(1750), Start.AddSeconds(10), Bound);

        Assert.True(status.Usable);
        Assert.Equal(Start.AddSeconds(7), status.FreshAsOf);
    }

    [Fact]
    public void A_standby_further_behind_than_the_bound_is_not_read()
    {
        var status = ReplicaLag.Assess(Samples(idle: false), inRecovery: true, new NpgsqlLogSequenceNumber(1400), Start.AddSeconds(10), Bound);

        Assert.False(status.Usable);
        Assert.Equal(Start.AddSeconds(4), status.FreshAsOf);
        Assert.Contains("6.0 s behind", status.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_standby_behind_every_sample_is_not_read()
    {
        var status = ReplicaLag.Assess(Samples(idle: false), inRecovery: true, new NpgsqlLogSequenceNumber(900), Start.AddSeconds(10), Bound);

        Assert.False(status.Usable);
    }

    [Theory]
    [InlineData(false, 2000UL)] // promoted: it follows no primary any more, whatever its position
    [InlineData(true, null)]    // no replay position: not a streaming standby
    public void A_server_that_is_not_replaying_is_not_read(bool inRecovery, ulong? replayed)
    {
        var status = ReplicaLag.Assess(Samples(idle: true), inRecovery, replayed is { } r ? new NpgsqlLogSequenceNumber(r) : null, Start.AddSeconds(10), Bound);

        Assert.False(status.Usable);
    }
}
