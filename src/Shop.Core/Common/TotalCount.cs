using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Npgsql;

namespace Shop.Core.Common;

/// <summary>
/// A list's <c>totalCount</c>: exact up to <see cref="ExactLimit"/>, an estimate beyond it on
/// PostgreSQL. An exact count reads every matching row, so at a million products a broad filter or
/// a common search word costs a second or more for a number no storefront shows exactly; counting at
/// most <see cref="ExactLimit"/> + 1 rows keeps the cost bounded. Beyond the limit PostgreSQL's planner
/// estimates the rows of the same query (EXPLAIN, no execution), never less than the limit + 1.
/// In a table of more than <see cref="EstimatedAbove"/> rows the estimate comes first, and when it too
/// is above that (five times the limit: far beyond what a misestimate turns into fewer than
/// <see cref="ExactLimit"/>) it is the answer, and no row is read: the cost of a broad filter's total
/// then stays flat in the table's size. SQLite has no estimator and counts on: its shops are small.
/// </summary>
public static class TotalCount
{
    public const int ExactLimit = 10_000;
    public const int EstimatedAbove = 5 * ExactLimit;

    public static async Task<int> CountAsync<T>(IQueryable<T> filtered, CancellationToken cancellationToken) =>
        await CountAsync(filtered, await EstimateFirstAsync(filtered, cancellationToken), cancellationToken);

    /// <summary>The same, with the estimate <see cref="EstimateFirstAsync"/> already made.</summary>
    public static async Task<int> CountAsync<T>(IQueryable<T> filtered, double? estimate, CancellationToken cancellationToken)
    {
        if (estimate > EstimatedAbove)
        {
            return (int)Math.Min(estimate.Value, int.MaxValue);
        }

        var capped = await filtered.Take(ExactLimit + 1).CountAsync(cancellationToken);
        return capped <= ExactLimit ? capped : await BeyondLimitAsync(filtered, estimate, counted: null, cancellationToken);
    }

    /// <summary>
    /// What <see cref="CountAsync"/> answers for <paramref name="filtered"/>, from an exact count of it
    /// already made (facets count every matching row anyway): the same figure, so a list and its facets agree.
    /// </summary>
    public static async Task<int> OfCountedAsync<T>(IQueryable<T> filtered, long counted, CancellationToken cancellationToken)
    {
        var estimate = await EstimateFirstAsync(filtered, cancellationToken);
        if (estimate > EstimatedAbove)
        {
            return (int)Math.Min(estimate.Value, int.MaxValue);
        }

        return counted <= ExactLimit ? (int)counted : await BeyondLimitAsync(filtered, estimate, counted, cancellationToken);
    }

    /// <summary>The total of more than <see cref="ExactLimit"/> rows the planner estimated as <paramref name="estimate"/>.</summary>
    public static int BeyondLimit(double estimate) => (int)Math.Clamp(estimate, ExactLimit + 1, int.MaxValue);

    // Beyond the limit: the planner's estimate (the one already made first, if any), at least the limit + 1.
    private static async Task<int> BeyondLimitAsync<T>(IQueryable<T> filtered, double? estimate, long? counted, CancellationToken cancellationToken)
    {
        if (estimate is { } known)
        {
            return BeyondLimit(known);
        }

        await using var command = filtered.CreateDbCommand();
        if (command is NpgsqlCommand)
        {
            return (int)Math.Clamp(await OnConnectionAsync(command, () => EstimateAsync(command, cancellationToken), cancellationToken), ExactLimit + 1, int.MaxValue);
        }

        return counted is { } exact ? (int)Math.Min(exact, int.MaxValue) : await filtered.CountAsync(cancellationToken);
    }

    /// <summary>
    /// On PostgreSQL, in a table of more than <see cref="EstimatedAbove"/> rows: the planner's estimate of
    /// the query, made before any count (the answer when it is above <see cref="EstimatedAbove"/> too, else
    /// kept for a count that reaches the limit). Null elsewhere.
    /// </summary>
    public static async Task<double?> EstimateFirstAsync<T>(IQueryable<T> filtered, CancellationToken cancellationToken)
    {
        if (TableOf(filtered.Expression, typeof(T)) is not { } table)
        {
            return null;
        }

        await using var command = filtered.CreateDbCommand();
        if (command is not NpgsqlCommand)
        {
            return null;
        }

        return await OnConnectionAsync(command, async () =>
            await TableRowsAsync(command, table, cancellationToken) > EstimatedAbove ? await EstimateAsync(command, cancellationToken) : (double?)null,
            cancellationToken);
    }

    // The planner's idea of a table's size (pg_class.reltuples, kept by ANALYZE and autovacuum), read again each minute.
    private static readonly ConcurrentDictionary<string, (double Rows, long At)> TableSizes = new();
    private static readonly long SizeLifetime = TimeSpan.FromMinutes(1).Ticks;

    private static async Task<double> TableRowsAsync(DbCommand query, string table, CancellationToken cancellationToken)
    {
        var connection = query.Connection!;
        var key = $"{connection.DataSource}/{connection.Database}/{table}";
        var now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        if (TableSizes.TryGetValue(key, out var known) && now - known.At < SizeLifetime)
        {
            return known.Rows;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = query.Transaction;
        command.CommandText = "SELECT coalesce((SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass($1)), 0)";
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        var rows = (double)(await command.ExecuteScalarAsync(cancellationToken))!;
        TableSizes[key] = (rows, now);
        return rows;
    }

    // The planner's row estimate of the query's top node: one round trip, a plan, no rows read.
    private static async Task<double> EstimateAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var text = command.CommandText;
        command.CommandText = "EXPLAIN (FORMAT JSON) " + text;
        try
        {
            var plan = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            using var json = JsonDocument.Parse(plan);
            return json.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        }
        finally
        {
            command.CommandText = text;
        }
    }

    private static async Task<TResult> OnConnectionAsync<TResult>(DbCommand command, Func<Task<TResult>> use, CancellationToken cancellationToken)
    {
        var connection = command.Connection!;
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            return await use();
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    /// <summary>The table of the query's own rows (its root of type <paramref name="type"/>), if it reads an entity's table.</summary>
    private static string? TableOf(Expression query, Type type)
    {
        var finder = new RootFinder(type);
        finder.Visit(query);
        return finder.Table;
    }

    private sealed class RootFinder(Type type) : ExpressionVisitor
    {
        public string? Table { get; private set; }

        protected override Expression VisitExtension(Expression node)
        {
            if (Table is null && node is EntityQueryRootExpression root && root.EntityType.ClrType == type)
            {
                Table = root.EntityType.GetSchema() is { } schema ? $"{schema}.{root.EntityType.GetTableName()}" : root.EntityType.GetTableName();
                return node;
            }

            return base.VisitExtension(node);
        }
    }
}
