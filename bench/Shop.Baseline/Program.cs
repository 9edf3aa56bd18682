using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

// The same-run baseline of bench/cache.sh and bench/hotpaths.sh: a bare ASP.NET Core app with nothing
// between Kestrel and the endpoint (no rate limiter, auth, metrics, logging or caching), running the SQL
// Shop's API sends (as PostgreSQL logs it, captured 2026-12-02: a product with its variants and their
// stock, one row per variant) with raw Npgsql and answering in Shop's JSON shape:
//   GET /static        a product as Shop shows it, from memory: the ceiling of any product detail;
//   GET /product/{id}  one product with its variants and stock by id;
//   GET /page          a filtered (category subtree, an active variant in the price range), price-sorted page
//                      of 20 products with its total;
//   GET /search        a page of 20 products whose text contains q, newest first, with its total (a
//                      trigram-indexed LIKE).
// A page and its total as Shop's ProductCatalog and TotalCount make them (PageAsync below), in a small table in
// fewer round trips (the page and the planner's estimate in one).
// Category subtrees are read once at start-up, as Shop keeps its category tree in memory.
//   dotnet Shop.Baseline.dll   (ConnectionStrings__Database, ASPNETCORE_URLS)
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
// As Shop's DatabaseSetup.Tuned: statements prepared on the server, no session reset on return to the pool.
var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("Database")
    ?? throw new InvalidOperationException("ConnectionStrings__Database is required.")) { MaxAutoPrepare = 64, NoResetOnClose = true });
var app = builder.Build();
var subtrees = await SubtreesAsync(dataSource);
double tableRows;
await using (var size = dataSource.CreateCommand("SELECT reltuples::float8 FROM pg_class WHERE oid = 'products'::regclass"))
{
    tableRows = (double)(await size.ExecuteScalarAsync())!;
}

var now = DateTime.UtcNow;
var product = new Product(Guid.NewGuid(), "BENCH-1", "bench-1", "Classic Oak Chair 1", "A dependable pick from the summer range.",
    19.99m, "USD", Guid.NewGuid(), ["https://images.example.com/bench/1.jpg"], true, new Stock(42), [],
    [new Variant(Guid.NewGuid(), "BENCH-1", new Dictionary<string, string>(), 19.99m, "USD", true, new Stock(42))], now, now);
app.MapGet("/static", () => product);

app.MapGet("/product/{id:guid}", async (Guid id) =>
{
    await using var command = dataSource.CreateCommand(Sql.WithVariants("WHERE p.id = $1 LIMIT 2", "p1.id, s.id"));
    command.Parameters.Add(new NpgsqlParameter { Value = id });
    await using var reader = await command.ExecuteReaderAsync();
    var found = await ReadProductsAsync(reader);
    return found.Count == 1 ? Results.Ok(found[0]) : Results.NotFound();
});

app.MapGet("/search", async (string q, int page) =>
{
    const string Where = "WHERE p.is_active AND p.search_text LIKE $1 ESCAPE '\\'";
    return await PageAsync(Where, "created_at DESC, id DESC", page, parameters =>
        parameters.Add(new NpgsqlParameter { Value = $"%{q.ToLowerInvariant()}%" }));
});

app.MapGet("/page", async (Guid categoryId, decimal minPrice, decimal maxPrice, int page) =>
{
    const string Where = "WHERE p.is_active AND p.category_id IS NOT NULL AND p.category_id = ANY ($1) AND EXISTS (" +
        "SELECT 1 FROM product_variants AS p0 WHERE p0.is_active AND p0.price_minor >= $2 AND p0.price_minor <= $3 AND p0.product_id = p.id)";
    // The page, not the total, also restates the range on the product's own lowest and highest price, and
    // walks from the floor (as Shop does: Sql.PageIdsFromFloor).
    const string Narrow = " AND p.max_price_minor >= $2 AND p.price_minor <= $3";
    return await PageAsync(Where, "price_minor, id", page, parameters =>
    {
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = subtrees[categoryId] });
        parameters.Add(new NpgsqlParameter { Value = (long)(minPrice * 100) });
        parameters.Add(new NpgsqlParameter { Value = (long)(maxPrice * 100) });
    }, Narrow, Sql.PageIdsFromFloor(Where + Narrow, "$2", 20, (page - 1) * 20));
});

app.Run();

// A page of 20 and its total as Shop's ProductCatalog and TotalCount make them. In a table of more than 50,000
// rows the planner's estimate comes first, and below 1,000 the matches' ids (in order, at most 10,001) give both
// the page and the total, the page's products following by id. Otherwise the page (narrow: conditions its ids
// add to the filter; pageIds: its ids, by default the filter's rows in order), the total from the page when it
// is not full, else the estimate when above 50,000, else a count of at most 10,001 rows, beyond 10,000 the estimate.
async Task<ProductPage> PageAsync(string where, string order, int page, Action<NpgsqlParameterCollection> filter, string narrow = "", string? pageIds = null)
{
    var offset = (page - 1) * 20;
    double? estimate = null;
    if (tableRows > 50_000)
    {
        await using var explain = dataSource.CreateCommand($"EXPLAIN (FORMAT JSON) SELECT 1 FROM products AS p {where}");
        filter(explain.Parameters);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        estimate = plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
    }

    if (estimate <= 1_000)
    {
        var matches = new List<Guid>();
        await using (var command = dataSource.CreateCommand($"SELECT p.id FROM products AS p {where}{narrow} ORDER BY {Sql.Order("p", order)} LIMIT 10001"))
        {
            filter(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                matches.Add(reader.GetGuid(0));
            }
        }

        if (matches.Count <= 10_000 || offset + 20 <= matches.Count)
        {
            var ids = matches.Skip(offset).Take(20).ToArray();
            List<Product> found = [];
            if (ids.Length > 0)
            {
                await using var command = dataSource.CreateCommand(Sql.WithVariants("WHERE p.id = ANY ($1)", Sql.Order("p1", order) + ", s.id"));
                command.Parameters.Add(new NpgsqlParameter { Value = ids });
                await using var reader = await command.ExecuteReaderAsync();
                found = await ReadProductsAsync(reader);
            }

            var all = matches.Count <= 10_000 ? matches.Count : 10_001;
            return new ProductPage(found, page, 20, all, (all + 19) / 20);
        }
    }

    await using var batch = dataSource.CreateBatch();
    var parameters = where.Split('$').Length - 1;
    var pageCommand = new NpgsqlBatchCommand(Sql.PageWithVariants(pageIds ?? Sql.PageIds(where + narrow, order, 20, offset), order));
    filter(pageCommand.Parameters);
    batch.BatchCommands.Add(pageCommand);
    if (estimate is null)
    {
        var estimateCommand = new NpgsqlBatchCommand($"EXPLAIN (FORMAT JSON) SELECT 1 FROM products AS p {where}");
        filter(estimateCommand.Parameters);
        batch.BatchCommands.Add(estimateCommand);
    }

    List<Product> items;
    await using (var reader = await batch.ExecuteReaderAsync())
    {
        items = await ReadProductsAsync(reader);
        if (estimate is null)
        {
            await reader.NextResultAsync();
            await reader.ReadAsync();
            using var plan = JsonDocument.Parse(reader.GetString(0));
            estimate = plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        }
    }

    int total;
    if (items.Count < 20 && (items.Count > 0 || page == 1))
    {
        total = offset + items.Count;
    }
    else if (tableRows > 50_000 && estimate > 50_000)
    {
        total = (int)Math.Min(estimate.Value, int.MaxValue);
    }
    else
    {
        await using var count = dataSource.CreateCommand($"SELECT count(*)::int FROM (SELECT 1 FROM products AS p {where} LIMIT ${parameters + 1}) AS p1");
        filter(count.Parameters);
        count.Parameters.Add(new NpgsqlParameter { Value = 10_001 });
        total = (int)(await count.ExecuteScalarAsync())!;
        total = total > 10_000 ? (int)Math.Max(10_001, estimate.Value) : total;
    }

    return new ProductPage(items, page, 20, total, (total + 19) / 20);
}

// Rows of Sql.WithVariants (a product's rows together, one per variant) into products as Shop shows them.
static async Task<List<Product>> ReadProductsAsync(NpgsqlDataReader reader)
{
    var products = new List<Product>(20);
    Guid? current = null;
    List<(int Position, Variant Variant)> variants = [];
    object[]? head = null;
    while (await reader.ReadAsync())
    {
        var id = reader.GetGuid(0);
        if (id != current)
        {
            if (head is not null)
            {
                products.Add(Assemble(head, variants));
            }

            current = id;
            variants = [];
            head = new object[16];
            reader.GetValues(head);
        }

        if (!reader.IsDBNull(16))
        {
            var available = reader.IsDBNull(29) ? 0 : reader.GetInt32(29) - reader.GetInt32(31);
            variants.Add((reader.GetInt32(22), new Variant(reader.GetGuid(16), reader.GetString(25),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(21))!, reader.GetInt64(23) / 100m, reader.GetString(18),
                reader.GetBoolean(19), new Stock(available))));
        }
    }

    if (head is not null)
    {
        products.Add(Assemble(head, variants));
    }

    return products;
}

static Product Assemble(object[] p, List<(int Position, Variant Variant)> rows)
{
    var variants = rows.OrderBy(r => r.Position).ThenBy(r => r.Variant.Id).Select(r => r.Variant).ToList();
    var active = variants.Where(v => v.IsActive).ToList();
    return new Product((Guid)p[0], (string)p[11], (string)p[12], (string)p[7], p[4] as string,
        active.Count > 0 ? active.Min(v => v.Price) : (long)p[9] / 100m, (string)p[3], p[1] as Guid?, (string[])p[5], (bool)p[6],
        new Stock(active.Sum(v => Math.Max(0, v.Stock.Available))), JsonSerializer.Deserialize<List<ProductOption>>((string)p[8], Sql.Json)!,
        variants, (DateTime)p[2], (DateTime)p[14]);
}

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

internal static class Sql
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Shop's query for a page of products: their ids first (PageIds: the filter, the sort, the offset), then
    // the products with their variants and stock.
    public static string PageWithVariants(string ids, string order) => $"""
        SELECT {Columns}
        FROM products AS p
        LEFT JOIN (
            SELECT p2.id, p2.created_at, p2.currency, p2.is_active, p2.option_key, p2.option_values, p2.position, p2.price_minor, p2.product_id, p2.sku, p2.updated_at, i.variant_id, i.low_stock_threshold, i.on_hand, i.product_id AS product_id0, i.reserved, i.updated_at AS updated_at0
            FROM product_variants AS p2
            LEFT JOIN inventory AS i ON p2.id = i.variant_id
        ) AS s ON p.id = s.product_id
        WHERE p.id IN ({ids})
        ORDER BY {Order("p", order)}, s.id
        """;

    // "created_at DESC, id DESC" of the products named alias.
    public static string Order(string alias, string order) => string.Join(", ", order.Split(", ").Select(o => $"{alias}.{o}"));

    // The filter names products "p" and their variants "p0"; the page's subquery renames them as EF Core does.
    public static string PageIds(string where, string order, int limit, int offset) => $"""
        SELECT p0.id
        FROM products AS p0
        {where.Replace("p0.", "p1.", StringComparison.Ordinal).Replace("AS p0", "AS p1", StringComparison.Ordinal).Replace("p.", "p0.", StringComparison.Ordinal)}
        ORDER BY {Order("p0", order)}
        LIMIT {limit} OFFSET {offset}
        """;

    // Cheapest first from a price floor, as Shop's ProductCatalog.PageIds: the products whose lowest price is
    // at least the floor, merged with those below it whose variants' prices differ, each cut at the page's end.
    public static string PageIdsFromFloor(string where, string floor, int limit, int offset) => $"""
        SELECT u.id FROM (
            (SELECT p.id, p.price_minor FROM products AS p {where} AND p.price_minor >= {floor} ORDER BY p.price_minor, p.id LIMIT {limit + offset})
            UNION ALL
            (SELECT p.id, p.price_minor FROM products AS p {where} AND p.price_minor < {floor} AND p.price_minor < p.max_price_minor ORDER BY p.price_minor, p.id LIMIT {limit + offset})
        ) AS u
        ORDER BY u.price_minor, u.id
        LIMIT {limit} OFFSET {offset}
        """;

    private const string Columns = "p.id, p.category_id, p.created_at, p.currency, p.description, p.image_urls, p.is_active, p.name, p.options, p.price_minor, p.search_text, p.sku, p.slug, p.sort_name, p.updated_at, p.version, s.id, s.created_at, s.currency, s.is_active, s.option_key, s.option_values, s.position, s.price_minor, s.product_id, s.sku, s.updated_at, s.variant_id, s.low_stock_threshold, s.on_hand, s.product_id0, s.reserved, s.updated_at0";

    // Shop's query for a product with its variants and stock (EF Core's single-query Include), around the product's own query.
    public static string WithVariants(string productsWhere, string order) => $"""
        SELECT p1.id, p1.category_id, p1.created_at, p1.currency, p1.description, p1.image_urls, p1.is_active, p1.name, p1.options, p1.price_minor, p1.search_text, p1.sku, p1.slug, p1.sort_name, p1.updated_at, p1.version, s.id, s.created_at, s.currency, s.is_active, s.option_key, s.option_values, s.position, s.price_minor, s.product_id, s.sku, s.updated_at, s.variant_id, s.low_stock_threshold, s.on_hand, s.product_id0, s.reserved, s.updated_at0
        FROM (
            SELECT p.id, p.category_id, p.created_at, p.currency, p.description, p.image_urls, p.is_active, p.name, p.options, p.price_minor, p.search_text, p.sku, p.slug, p.sort_name, p.updated_at, p.version
            FROM products AS p
            {productsWhere}
        ) AS p1
        LEFT JOIN (
            SELECT p0.id, p0.created_at, p0.currency, p0.is_active, p0.option_key, p0.option_values, p0.position, p0.price_minor, p0.product_id, p0.sku, p0.updated_at, i.variant_id, i.low_stock_threshold, i.on_hand, i.product_id AS product_id0, i.reserved, i.updated_at AS updated_at0
            FROM product_variants AS p0
            LEFT JOIN inventory AS i ON p0.id = i.variant_id
        ) AS s ON p1.id = s.product_id
        ORDER BY {order}
        """;
}

internal sealed record Stock(int Available);

internal sealed record ProductOption(string Name, List<string> Values);

internal sealed record Variant(Guid Id, string Sku, Dictionary<string, string> OptionValues, decimal Price, string Currency, bool IsActive, Stock Stock);

internal sealed record Product(Guid Id, string Sku, string Slug, string Name, string? Description, decimal Price, string Currency,
    Guid? CategoryId, string[] ImageUrls, bool IsActive, Stock Stock, List<ProductOption> Options, List<Variant> Variants,
    DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record ProductPage(List<Product> Items, int Page, int PageSize, int TotalCount, int TotalPages);
