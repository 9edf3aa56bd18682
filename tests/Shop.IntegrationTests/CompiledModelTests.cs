using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Shop.Core.Data;

namespace Shop.IntegrationTests;

/// <summary>
/// The running shop uses each provider's model compiled ahead of time (<see cref="DatabaseSetup.CompiledModel"/>,
/// committed in the migrations assemblies); it has to be the model this build's configurations make, down to the
/// tables, columns, indexes and value conversions, or the shop would read and write with last week's model.
/// After a change to an entity or a configuration: <c>bash scripts/compiled-model.sh</c>.
/// </summary>
public sealed class CompiledModelTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=unused.db")]
    [InlineData(DatabaseProvider.Postgres, "Host=unused")]
    public void The_compiled_model_of_each_provider_is_the_model_the_configurations_build(DatabaseProvider provider, string connectionString)
    {
        var options = DatabaseSetup.Configure(new DbContextOptionsBuilder<ShopDbContext>(), provider, connectionString);
        using var db = new ShopDbContext((DbContextOptions<ShopDbContext>)options.Options);
        var built = db.Model;
        // As the shop uses it: the context initializes the compiled model's runtime dependencies (type mappings).
        var compiledOptions = DatabaseSetup.Configure(new DbContextOptionsBuilder<ShopDbContext>(), provider, connectionString)
            .UseModel(DatabaseSetup.CompiledModel(provider));
        using var compiledDb = new ShopDbContext((DbContextOptions<ShopDbContext>)compiledOptions.Options);
        var compiled = compiledDb.Model;

        Assert.NotSame(built, compiled);
        Assert.Equal(Described(built), Described(compiled));
        Assert.Equal(built.GetRelationalModel().ToDebugString(MetadataDebugStringOptions.LongDefault),
            compiled.GetRelationalModel().ToDebugString(MetadataDebugStringOptions.LongDefault));
    }

    // The model's full description, less one annotation that only the built model keeps: an index's method
    // (the trigram index's "gin"), which only migrations read and Npgsql's compiled-model generator leaves
    // out on purpose; the relational model above still compares the index itself.
    private static string Described(IModel model) => string.Join('\n',
        model.ToDebugString(MetadataDebugStringOptions.LongDefault).Split('\n').Where(line => !line.TrimStart().StartsWith("Npgsql:IndexMethod:", StringComparison.Ordinal)));
}
