namespace MarketPulse.Testing;

/// <summary>
/// Where the real services for tests are. ./test.sh starts the private stack (scripts/stack.sh)
/// and exports its connection strings; a developer may point these variables at other servers.
/// </summary>
public static class TestStack
{
    /// <summary>A PostgreSQL connection string with the right to create databases (database <c>postgres</c>).</summary>
    public static string AdminConnectionString => Required("ConnectionStrings__Admin");

    /// <summary>StackExchange.Redis configuration of the test Redis.</summary>
    public static string RedisConfiguration => Required("Redis__Configuration");

    /// <summary>A name unique to this run, for databases, topics and key prefixes.</summary>
    public static string UniqueName(string prefix) =>
        $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 60)].ToLowerInvariant();

    /// <summary>The checkout's root (the folder of MarketPulse.slnx), found from the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPulse.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MarketPulse.slnx not found above {AppContext.BaseDirectory}.");
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: run the tests with ./test.sh, or `eval \"$(scripts/stack.sh env)\"` after `scripts/stack.sh start`.");
}
