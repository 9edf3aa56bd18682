using Npgsql;
using Shop.Core.Data;

namespace Shop.UnitTests;

/// <summary>DatabaseSetup.Tuned: prepared statements and no reset on return, unless the connection string says otherwise.</summary>
public sealed class ConnectionTuningTests
{
    [Fact]
    public void A_string_that_says_nothing_gets_automatic_preparation_and_no_reset()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseSetup.Tuned("Host=db;Database=shop;Username=shop;Password=secret;Options=-c statement_timeout=5000"));
        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("db", tuned.Host);
        Assert.Equal("secret", tuned.Password);
        Assert.Equal("-c statement_timeout=5000", tuned.Options);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;MaxAutoPrepare=0;NoResetOnClose=false")]
    [InlineData("host=db;max auto prepare=0;no reset on close=false")]
    public void What_the_string_says_wins_in_any_spelling(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseSetup.Tuned(connectionString));
        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }
}
