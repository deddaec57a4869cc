using System.Text.RegularExpressions;
using MarketPulse.Testing;
using Npgsql;

namespace MarketPulse.Storage.Tests.Migrations;

/// <summary>
/// docs/database.md against pg_catalog of freshly migrated databases: every table (partitions aside) and every
/// column, with its type and nullability, documented; nothing documented that the migrations do not create.
/// </summary>
public sealed partial class DatabaseDocTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    private const string ColumnsSql = """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname, a.attnum
        """;

    [Theory]
    [InlineData(DatabaseKind.Raw)]
    [InlineData(DatabaseKind.Analytics)]
    [InlineData(DatabaseKind.Logs)]
    public async Task The_documented_schema_is_the_migrated_schema(DatabaseKind kind)
    {
        var actual = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(fixture.Databases[kind]))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(ColumnsSql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                actual.Add(Column(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
            }
        }

        var documented = Documented()[kind];
        Assert.True(actual.Count > 10, $"{kind} has {actual.Count} columns");
        var missing = actual.Except(documented).Order(StringComparer.Ordinal).ToList();
        var extra = documented.Except(actual).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{kind}: not in docs/database.md: {string.Join("; ", missing)}{Environment.NewLine}documented, not in the database: {string.Join("; ", extra)}");
    }

    private static string Column(string table, string column, string type, bool notNull) =>
        $"{table}.{column} {type} {(notNull ? "not null" : "null")}";

    /// <summary>Per database: the columns of its <c>### `table`</c> sections, as <see cref="Column"/> writes them.</summary>
    private static Dictionary<DatabaseKind, HashSet<string>> Documented()
    {
        var result = Enum.GetValues<DatabaseKind>().ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
        DatabaseKind? kind = null;
        List<string> tables = [];
        foreach (var line in File.ReadLines(Path.Combine(TestStack.RepositoryRoot, "docs", "database.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                kind = DatabaseSection().Match(line) is { Success: true } m ? Enum.Parse<DatabaseKind>(m.Groups[1].Value) : null;
                tables = [];
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                tables = Quoted().Matches(line).Select(m => m.Groups[1].Value).ToList();
            }
            else if (kind is { } k && ColumnRow().Match(line) is { Success: true } row)
            {
                foreach (var table in tables)
                {
                    result[k].Add(Column(table, row.Groups[1].Value, row.Groups[2].Value, row.Groups[3].Value == "not null"));
                }
            }
        }

        return result;
    }

    [GeneratedRegex(@"\(`ConnectionStrings:(Raw|Analytics|Logs)`\)")]
    private static partial Regex DatabaseSection();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"^\| `([a-z_0-9]+)` \| `([^`]+)` \| (null|not null) \|")]
    private static partial Regex ColumnRow();
}
