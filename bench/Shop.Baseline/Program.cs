using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

// The same-run baseline of bench/cache.sh and bench/hotpaths.sh: a bare ASP.NET Core app with nothing
// between Kestrel and the endpoint (no rate limiter, auth, metrics, logging or caching), answering
//   GET /static        a product as Shop shows it, from memory: the ceiling of any product detail;
//   GET /product/{id}  one product and its stock by id, straight from PostgreSQL with raw Npgsql;
//   GET /page          a filtered, sorted page of 20 products with its total, straight from PostgreSQL with
//                      raw Npgsql (one round trip for page and count), in Shop's JSON shape; the total is
//                      Shop's: exact up to 10,000, the planner's estimate beyond;
//   GET /search        a page of 20 products whose text contains q, newest first, with its total: the
//                      SQL Shop runs for ?q= (a trigram-indexed LIKE), one round trip.
// Category subtrees are read once at start-up, as Shop keeps its category tree in memory.
//   dotnet Shop.Baseline.dll   (ConnectionStrings__Database, ASPNETCORE_URLS)
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var dataSource = NpgsqlDataSource.Create(builder.Configuration.GetConnectionString("Database")
    ?? throw new InvalidOperationException("ConnectionStrings__Database is required."));
var app = builder.Build();
var subtrees = await SubtreesAsync(dataSource);

var product = new Product(Guid.NewGuid(), "BENCH-1", "bench-1", "Classic Oak Chair 1", "A dependable pick from the summer range.",
    19.99m, "USD", Guid.NewGuid(), ["https://images.example.com/bench/1.jpg"], true, new Stock(42), DateTime.UtcNow, DateTime.UtcNow);
app.MapGet("/static", () => product);

const string Columns = "p.id, p.sku, p.slug, p.name, p.description, p.price_minor, p.currency, p.category_id, p.image_urls, p.is_active, " +
    "i.on_hand - i.reserved, p.created_at, p.updated_at FROM products p JOIN inventory i ON i.product_id = p.id";

app.MapGet("/product/{id:guid}", async (Guid id) =>
{
    await using var command = dataSource.CreateCommand($"SELECT {Columns} WHERE p.id = @id");
    command.Parameters.AddWithValue("id", id);
    await using var reader = await command.ExecuteReaderAsync();
    return await reader.ReadAsync() ? Results.Ok(Read(reader)) : Results.NotFound();
});

app.MapGet("/search", async (string q, int page) =>
{
    const string Where = "p.is_active AND p.search_text LIKE @pattern ESCAPE '\\'";
    return await PageAsync([
        new($"SELECT {Columns} WHERE {Where} ORDER BY p.created_at DESC, p.id DESC LIMIT 20 OFFSET @offset"),
        new($"SELECT count(*)::int FROM (SELECT 1 FROM products p WHERE {Where} LIMIT 10001) c"),
        new($"EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE {Where}"),
    ], page, command =>
    {
        command.Parameters.AddWithValue("pattern", $"%{q.ToLowerInvariant()}%");
        command.Parameters.AddWithValue("offset", (page - 1) * 20);
    });
});

app.MapGet("/page", async (Guid categoryId, decimal minPrice, decimal maxPrice, int page) =>
{
    const string Where = "p.is_active AND p.category_id = ANY(@ids) AND p.price_minor BETWEEN @min AND @max";
    return await PageAsync([
        new($"SELECT {Columns} WHERE {Where} ORDER BY p.price_minor, p.id LIMIT 20 OFFSET @offset"),
        new($"SELECT count(*)::int FROM (SELECT 1 FROM products p WHERE {Where} LIMIT 10001) c"),
        new($"EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE {Where}"),
    ], page, command =>
    {
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = subtrees[categoryId] });
        command.Parameters.AddWithValue("min", (long)(minPrice * 100));
        command.Parameters.AddWithValue("max", (long)(maxPrice * 100));
        command.Parameters.AddWithValue("offset", (page - 1) * 20);
    });
});

app.Run();

// A page and its total in one round trip.
async Task<ProductPage> PageAsync(NpgsqlBatchCommand[] commands, int page, Action<NpgsqlBatchCommand> parameters)
{
    await using var batch = dataSource.CreateBatch();
    foreach (var command in commands)
    {
        batch.BatchCommands.Add(command);
        parameters(command);
    }

    var items = new List<Product>(20);
    await using var reader = await batch.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        items.Add(Read(reader));
    }

    await reader.NextResultAsync();
    await reader.ReadAsync();
    var total = reader.GetInt32(0);
    await reader.NextResultAsync();
    await reader.ReadAsync();
    if (total > 10_000)
    {
        // Shop's totalCount: exact up to 10,000, the planner's estimate beyond (Shop.Core's TotalCount).
        using var plan = JsonDocument.Parse(reader.GetString(0));
        total = (int)Math.Max(10_001, plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble());
    }

    return new ProductPage(items, page, 20, total, (total + 19) / 20);
}

static Product Read(NpgsqlDataReader reader) =>
    new(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt64(5) / 100m, reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetGuid(7), reader.GetFieldValue<string[]>(8), reader.GetBoolean(9),
        new Stock(reader.GetInt32(10)), reader.GetDateTime(11), reader.GetDateTime(12));

static async Task<Dictionary<Guid, Guid[]>> SubtreesAsync(NpgsqlDataSource dataSource)
{
    var parents = new List<(Guid Id, Guid? Parent)>();
    await using (var command = dataSource.CreateCommand("SELECT id, parent_id FROM categories"))
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            parents.Add((reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)));
        }
    }

    var children = parents.ToLookup(c => c.Parent);
    IEnumerable<Guid> Subtree(Guid id) => [id, .. children[id].SelectMany(c => Subtree(c.Id))];
    return parents.ToDictionary(c => c.Id, c => Subtree(c.Id).ToArray());
}

internal sealed record Stock(int Available);

internal sealed record Product(Guid Id, string Sku, string Slug, string Name, string? Description, decimal Price, string Currency,
    Guid? CategoryId, string[] ImageUrls, bool IsActive, Stock Stock, DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record ProductPage(List<Product> Items, int Page, int PageSize, int TotalCount, int TotalPages);
