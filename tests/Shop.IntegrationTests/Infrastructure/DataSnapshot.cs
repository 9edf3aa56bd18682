using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// Every shop table of a host's database as a row count and a hash of all its rows, read with plain
/// ADO.NET (no model), so that a test can prove that a request changed no data at all. Two kinds of
/// table are left out, because they change with no request: Wolverine's message store (schema
/// <c>wolverine</c> on PostgreSQL, tables <c>wolverine_*</c> on SQLite), which its agents write on
/// their own (node heartbeats, leadership, scheduled job envelopes, handled-message bookkeeping); and
/// <c>job_runs</c>, where each recurring job claims its occurrence every minute.
/// </summary>
public sealed class DataSnapshot
{
    private readonly IReadOnlyDictionary<string, (long Rows, string Hash)> _tables;

    private DataSnapshot(IReadOnlyDictionary<string, (long Rows, string Hash)> tables) => _tables = tables;

    public long Rows => _tables.Values.Sum(t => t.Rows);

    /// <summary>What differs from <paramref name="before"/>, one line per table; empty when nothing does.</summary>
    public IReadOnlyList<string> ChangesSince(DataSnapshot before) =>
        _tables.Keys.Union(before._tables.Keys).Order(StringComparer.Ordinal)
            .Select(table => (table, was: before._tables.GetValueOrDefault(table), now: _tables.GetValueOrDefault(table)))
            .Where(t => t.was != t.now)
            .Select(t => t.was.Rows == t.now.Rows ? $"{t.table}: rows changed ({t.now.Rows} rows)" : $"{t.table}: {t.was.Rows} -> {t.now.Rows} rows")
            .ToList();

    /// <summary>Finds the tables once; <see cref="Reader.TakeAsync"/> then reads them all in one round trip.</summary>
    public static async Task<Reader> ReaderForAsync(ShopFactory shop)
    {
        var factory = shop.Provider == "Postgres" ? (DbProviderFactory)NpgsqlFactory.Instance : SqliteFactory.Instance;
        var list = shop.Provider == "Postgres"
            ? "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            : "SELECT 'main', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'";
        var tables = new List<string>();
        await using (var connection = factory.CreateConnection()!)
        {
            connection.ConnectionString = shop.ConnectionString;
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = list;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (schema, name) = (reader.GetString(0), reader.GetString(1));
                if (schema != "wolverine" && !name.StartsWith("wolverine_", StringComparison.Ordinal) && name != "job_runs")
                {
                    tables.Add(shop.Provider == "Postgres" ? $"\"{schema}\".\"{name}\"" : $"\"{name}\"");
                }
            }
        }

        tables.Sort(StringComparer.Ordinal);
        var wolverine = shop.Provider == "Postgres" ? "wolverine." : "";
        var pending = $"SELECT (SELECT count(*) FROM {wolverine}wolverine_incoming_envelopes WHERE status = 'Incoming') + (SELECT count(*) FROM {wolverine}wolverine_outgoing_envelopes)";
        return new Reader(factory, shop.ConnectionString, tables, pending);
    }

    public sealed class Reader(DbProviderFactory factory, string connectionString, IReadOnlyList<string> tables, string pendingMessages)
    {
        public IReadOnlyList<string> Tables => tables;

        /// <summary>
        /// Messages Wolverine has still to handle or to send, from its own tables: one round trip
        /// (its IMessageStoreAdmin.FetchCountsAsync takes several, about 30 ms on PostgreSQL).
        /// </summary>
        public async Task<long> PendingMessagesAsync()
        {
            await using var connection = factory.CreateConnection()!;
            connection.ConnectionString = connectionString;
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = pendingMessages;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        public async Task<DataSnapshot> TakeAsync()
        {
            await using var connection = factory.CreateConnection()!;
            connection.ConnectionString = connectionString;
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join(";\n", tables.Select(t => $"SELECT * FROM {t}"));
            await using var reader = await command.ExecuteReaderAsync();
            var result = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
            var values = new object[256];
            foreach (var table in tables)
            {
                var rows = new List<string>();
                var line = new StringBuilder();
                while (await reader.ReadAsync())
                {
                    line.Clear();
                    var count = reader.GetValues(values);
                    for (var i = 0; i < count; i++)
                    {
                        line.Append(Text(values[i])).Append('\u001f');
                    }

                    rows.Add(line.ToString());
                }

                rows.Sort(StringComparer.Ordinal);
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows))))[..16];
                result[table] = (rows.Count, hash);
                await reader.NextResultAsync();
            }

            return new DataSnapshot(result);
        }

        private static string Text(object value) => value switch
        {
            DBNull => "\u2400",
            byte[] bytes => Convert.ToHexString(bytes),
            DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
            string text => text,
            System.Collections.IEnumerable items => "[" + string.Join(",", items.Cast<object>().Select(Text)) + "]",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }
}
