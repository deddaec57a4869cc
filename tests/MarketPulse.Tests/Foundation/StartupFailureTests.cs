using MarketPulse.Storage;
using MarketPulse.Testing;
using Npgsql;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// <c>marketpulse serve</c> that cannot start ends by itself with exit code 1 and one line on standard
/// error that names the setting to fix, without a stack trace.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class StartupFailureTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    [Fact]
    public async Task Wrong_database_password_names_the_connection_string_and_the_login()
    {
        var password = "wrong-" + Guid.NewGuid().ToString("N");
        var raw = new NpgsqlConnectionStringBuilder(fixture.Databases[DatabaseKind.Raw]) { Password = password }.ConnectionString;

        var line = await ServeFailsWithOneLineAsync(Environment(("ConnectionStrings__Raw", raw)));

        Assert.StartsWith("marketpulse: ConnectionStrings:Raw:", line, StringComparison.Ordinal);
        Assert.Contains("password", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("login refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain(password, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_redis_names_the_redis_setting()
    {
        var line = await ServeFailsWithOneLineAsync(Environment(("Redis__Configuration", "127.0.0.1:1")));

        Assert.StartsWith("marketpulse: Redis:Configuration:", line, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("UnableToConnect", line, StringComparison.Ordinal);
        Assert.True(line.Length < 300, "a person reads this line; the client's diagnostic dump does not belong in it: " + line);
    }

    [Fact]
    public async Task Missing_connection_string_names_its_setting()
    {
        var line = await ServeFailsWithOneLineAsync(Environment(("ConnectionStrings__Raw", null)));

        Assert.StartsWith("marketpulse: ConnectionStrings:Raw:", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Raw", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kafka__Sentiment__Partitions", "0", "Kafka:Sentiment:Partitions", "between 1 and 1000")]
    [InlineData("Analysis__Alerts__MinConfidence", "1.5", "Analysis:Alerts:MinConfidence", "between 0 and 1")]
    [InlineData("Api__ClientPermitsPerSecond", "0", "Api:ClientPermitsPerSecond", "between 1 and 1000000")]
    [InlineData("Shutdown__Timeout", "00:00:00", "Shutdown:Timeout", "between 00:00:01 and 00:10:00")]
    public async Task Invalid_setting_stops_the_process_with_one_line_naming_it(string variable, string value, string setting, string reason)
    {
        var line = await ServeFailsWithOneLineAsync(Environment((variable, value)));

        Assert.StartsWith($"marketpulse: {setting}: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_invalid_settings_still_end_in_one_line_naming_each()
    {
        var line = await ServeFailsWithOneLineAsync(Environment(("Api__MaxTextLength", "0"), ("Dedup__Threshold", "2")));

        Assert.StartsWith("marketpulse: ", line, StringComparison.Ordinal);
        Assert.Contains("Api:MaxTextLength: ", line, StringComparison.Ordinal);
        Assert.Contains("Dedup:Threshold: ", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("analyze")]
    public async Task One_role_without_a_broker_address_refuses_to_host_its_own_broker(string target)
    {
        var line = await ServeFailsWithOneLineAsync(Environment(("Kafka__BootstrapServers", null)), ["--target", target]);

        Assert.StartsWith("marketpulse: Kafka:BootstrapServers:", line, StringComparison.Ordinal);
        Assert.Contains($"the {target} role", line, StringComparison.Ordinal);
        Assert.Contains("./marketpulse broker", line, StringComparison.Ordinal);
        Assert.Contains("Kafka__AllowInProcessBroker=true", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_role_told_so_hosts_the_in_process_broker()
    {
        await using var app = await Testing.TestApp.StartAsync(Hosting.HostTarget.Ingest,
            [.. fixture.Databases.Settings(), new("Kafka:BootstrapServers", ""), new("Kafka:AllowInProcessBroker", "true")]);

        using var response = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private List<KeyValuePair<string, string?>> Environment(params (string Key, string? Value)[] overrides)
    {
        var environment = fixture.Environment().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        environment["Redis__Configuration"] = TestStack.RedisConfiguration;
        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        return [.. environment.Where(kv => kv.Value is not null)];
    }

    private static async Task<string> ServeFailsWithOneLineAsync(IEnumerable<KeyValuePair<string, string?>> environment, string[]? arguments = null)
    {
        using var process = await MarketPulseProcess.RunAsync(["serve", "--urls", "http://127.0.0.1:0", .. arguments ?? []], environment);
        var exitCode = await process.WaitForExitAsync();
        var output = process.Describe();
        Assert.True(exitCode == 1, output);
        var errors = process.StandardError.Where(l => l.Length > 0).ToList();
        Assert.True(errors.Count == 1, $"expected one line on standard error\n{output}");
        Assert.DoesNotContain(process.StandardError.Concat(process.StandardOutput), l => l.StartsWith("   at ", StringComparison.Ordinal));
        return errors[0];
    }
}
