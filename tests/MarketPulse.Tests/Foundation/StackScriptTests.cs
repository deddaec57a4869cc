using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MarketPulse.Testing;
using Npgsql;

namespace MarketPulse.Tests.Foundation;

/// <summary><c>scripts/stack.sh status</c> against the servers these tests run on (never started or stopped here).</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class StackScriptTests
{
    [Fact]
    public async Task Status_exits_0_when_both_servers_run()
    {
        var (exitCode, output) = await StatusAsync(await StackEnvironmentAsync());

        Assert.True(exitCode == 0, output);
        Assert.Contains("postgresql: running", output, StringComparison.Ordinal);
        Assert.Contains("redis: running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_exits_3_when_redis_is_not_there()
    {
        var environment = await StackEnvironmentAsync();
        environment["MP_REDIS_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, output) = await StatusAsync(environment);

        Assert.True(exitCode == 3, output);
        Assert.Contains("redis: stopped", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The stack of the running tests may belong to another checkout (a worktree uses its main checkout's
    /// servers), so the data directory and ports are taken from the servers themselves.
    /// </summary>
    private static async Task<Dictionary<string, string>> StackEnvironmentAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(TestStack.AdminConnectionString);
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW data_directory", connection);
        var dataDirectory = (string)(await command.ExecuteScalarAsync())!;
        Assert.True(Path.GetFileName(dataDirectory) == "pg", $"the test PostgreSQL ({dataDirectory}) is not one that scripts/stack.sh made");
        var redisPort = TestStack.RedisConfiguration.Split(',')[0].Split(':')[^1];
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MP_DATA_DIR"] = Path.GetDirectoryName(dataDirectory)!,
            ["MP_PG_PORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MP_REDIS_PORT"] = redisPort,
        };
    }

    private static async Task<(int ExitCode, string Output)> StatusAsync(Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(TestStack.RepositoryRoot, "scripts", "stack.sh"), "status" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(MarketPulseProcess.SafetyNet);
        return (process.ExitCode, await stdout + await stderr);
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
