using MarketPulse.Storage;
using Xunit;

namespace MarketPulse.Testing;

/// <summary>Migrated databases of one test class, dropped after it.</summary>
public sealed class DatabasesFixture : IAsyncLifetime
{
    private TestDatabases? _databases;

    public TestDatabases Databases => _databases ?? throw new InvalidOperationException("not initialised");

    /// <summary>The databases as <c>ConnectionStrings__X</c> environment variables, for a child process.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Environment() =>
        Enum.GetValues<DatabaseKind>().Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings__{kind}", Databases[kind]));

    public async Task InitializeAsync() => _databases = await TestDatabases.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_databases is not null)
        {
            await _databases.DisposeAsync();
        }
    }
}
