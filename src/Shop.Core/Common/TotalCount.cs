using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Shop.Core.Common;

/// <summary>
/// A list's <c>totalCount</c>: exact up to <see cref="ExactLimit"/>, an estimate beyond it on
/// PostgreSQL. An exact count reads every matching row, so at a million products a broad filter or
/// a common search word costs a second or more for a number no storefront shows exactly; counting at
/// most <see cref="ExactLimit"/> + 1 rows keeps the cost flat in the catalog's size. Beyond the limit
/// PostgreSQL's planner estimates the rows of the same query (EXPLAIN, no execution), never less than
/// the limit + 1. SQLite has no estimator and counts on: its shops are small.
/// </summary>
public static class TotalCount
{
    public const int ExactLimit = 10_000;

    public static async Task<int> CountAsync<T>(IQueryable<T> filtered, CancellationToken cancellationToken)
    {
        var capped = await filtered.Take(ExactLimit + 1).CountAsync(cancellationToken);
        return capped <= ExactLimit ? capped : await BeyondLimitAsync(filtered, counted: null, cancellationToken);
    }

    /// <summary>
    /// What <see cref="CountAsync"/> answers for <paramref name="filtered"/>, from an exact count of it
    /// already made (facets count every matching row anyway): the same figure, so a list and its facets agree.
    /// </summary>
    public static async Task<int> OfCountedAsync<T>(IQueryable<T> filtered, long counted, CancellationToken cancellationToken) =>
        counted <= ExactLimit ? (int)counted : await BeyondLimitAsync(filtered, counted, cancellationToken);

    private static async Task<int> BeyondLimitAsync<T>(IQueryable<T> filtered, long? counted, CancellationToken cancellationToken)
    {
        await using var command = filtered.CreateDbCommand();
        if (command is NpgsqlCommand)
        {
            return (int)Math.Clamp(await EstimateAsync(command, cancellationToken), ExactLimit + 1, int.MaxValue);
        }

        return counted is { } known ? (int)Math.Min(known, int.MaxValue) : await filtered.CountAsync(cancellationToken);
    }

    // The planner's row estimate of the query's top node: one round trip, a plan, no rows read.
    private static async Task<double> EstimateAsync(DbCommand command, CancellationToken cancellationToken)
    {
        command.CommandText = "EXPLAIN (FORMAT JSON) " + command.CommandText;
        var connection = command.Connection!;
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            var plan = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            using var json = JsonDocument.Parse(plan);
            return json.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }
}
