using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using Xunit;

namespace MarketPulse.Testing;

/// <summary>
/// A redis-server of the test's own on a free loopback port, without persistence, so that a test may
/// kill it and start it again on the same port. The shared Redis of the stack is never stopped.
/// </summary>
public sealed class OwnRedisServer : IDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly string _directory = Directory.CreateTempSubdirectory("mp-redis-").FullName;
    private Process? _process;

    private OwnRedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<OwnRedisServer> StartAsync()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is needed (Debian package redis-server, installed by scripts/stack.sh start).");
        var server = new OwnRedisServer(FreePort());
        try
        {
            await server.RestartAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server again after <see cref="KillAsync"/>, on the same port, empty; returns once it answers.</summary>
    public async Task RestartAsync()
    {
        Assert.True(_process is null or { HasExited: true }, "the server is still running");
        _process?.Dispose();
        var psi = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Poll.UntilSucceedsAsync(PingAsync, e => e is RedisConnectionException);
    }

    /// <summary>Kills the server as a crash would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<TimeSpan> PingAsync()
    {
        Assert.False(_process!.HasExited, $"redis-server on port {Port} ended at start (exit code {(_process.HasExited ? _process.ExitCode : 0)}).");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Configuration }, ConnectTimeout = 1000 });
        return await redis.GetDatabase().PingAsync();
    }
}
