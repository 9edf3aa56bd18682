using Microsoft.EntityFrameworkCore;

namespace Shop.Core.Catalog;

/// <summary>
/// What the facets of a filter count, read in one statement on both providers. The filter is EF's own
/// SQL for the list's query, so <paramref name="Products"/> counts the rows <c>GET /products</c> finds;
/// it runs once, into a common table expression that every count reads. As five queries, each count
/// evaluated the filter again (its EXISTS over variants, stock and option rows), and the price range,
/// in-stock count and option values joined the variants again each: at 100,000 products that was
/// nearly all of the facets' time (bench/facets.sh prints the plans).
/// </summary>
/// <param name="Products">Every matching product, counted exactly.</param>
/// <param name="ByCategory">Matching products per category, sub-categories not rolled up.</param>
/// <param name="Options">Per option value: the matching products with an active variant having it.</param>
/// <param name="MinPriceMinor">The lowest active variant price of the matching products; none without a variant.</param>
/// <param name="InStock">Matching products with an active variant in stock.</param>
internal sealed record FacetCounts(
    long Products, IReadOnlyDictionary<Guid, int> ByCategory, IReadOnlyList<(string Name, string Value, int Count)> Options,
    long? MinPriceMinor, long? MaxPriceMinor, long InStock)
{
    // Standard SQL that PostgreSQL and SQLite both run: the filtered products, then their active
    // variants (joined once, not once per count), then rows of three kinds in one result, told apart by
    // the first column.
    private const string Sql = """
        WITH filtered (id, category_id) AS MATERIALIZED (
        {products}
        ),
        variants AS MATERIALIZED (
            SELECT v.id, v.product_id, v.price_minor, {inStock} AS in_stock
            FROM filtered AS f
            JOIN product_variants AS v ON v.product_id = f.id
            LEFT JOIN inventory AS i ON i.variant_id = v.id
            WHERE v.is_active)
        SELECT 'category' AS kind, CAST(f.category_id AS text) AS name, NULL AS value, count(*) AS count,
               CAST(NULL AS bigint) AS low, CAST(NULL AS bigint) AS high
        FROM filtered AS f
        GROUP BY f.category_id
        UNION ALL
        SELECT 'variants', NULL, NULL, {inStockCount}, min(v.price_minor), max(v.price_minor)
        FROM variants AS v
        UNION ALL
        SELECT 'option', o.name, o.value, count(DISTINCT o.product_id), NULL, NULL
        FROM variants AS v
        JOIN variant_option_values AS o ON o.variant_id = v.id
        GROUP BY o.name, o.value
        """;

    /// <param name="products">The list's filtered products (<c>ProductCatalog.FilterAsync</c>).</param>
    /// <param name="allInStock">The filter keeps only products in stock (<c>inStock=true</c>).</param>
    public static async Task<FacetCounts> QueryAsync(DbContext db, IQueryable<Product> products, bool allInStock, CancellationToken cancellationToken)
    {
        await using var command = products.Select(p => new { p.Id, p.CategoryId }).CreateDbCommand();
        // With inStock=true every product found is in stock: stock is then neither read nor counted
        // (PostgreSQL drops the join to inventory when none of its columns is used).
        var (stockColumn, stockCount) = allInStock
            ? ("NULL", "NULL")
            : ("i.on_hand - i.reserved > 0", "count(DISTINCT CASE WHEN v.in_stock THEN v.product_id END)");
        command.CommandText = Sql
            .Replace("{products}", command.CommandText, StringComparison.Ordinal)
            .Replace("{inStock}", stockColumn, StringComparison.Ordinal)
            .Replace("{inStockCount}", stockCount, StringComparison.Ordinal);

        long total = 0, inStock = 0;
        long? low = null, high = null;
        var byCategory = new Dictionary<Guid, int>();
        var options = new List<(string, string, int)>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                long? Number(int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);
                var count = Number(3) ?? 0;
                switch (reader.GetString(0))
                {
                    case "category":
                        total += count;
                        if (!reader.IsDBNull(1))
                        {
                            byCategory[Guid.Parse(reader.GetString(1))] = (int)count;
                        }

                        break;
                    case "variants":
                        (inStock, low, high) = (count, Number(4), Number(5));
                        break;
                    case "option":
                        options.Add((reader.GetString(1), reader.GetString(2), (int)count));
                        break;
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return new FacetCounts(total, byCategory, options, low, high, allInStock ? total : inStock);
    }
}
