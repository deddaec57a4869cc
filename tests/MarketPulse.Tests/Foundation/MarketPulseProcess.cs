using System.Diagnostics;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// The real <c>marketpulse</c> CLI as a child process (the dll the test project copies next to its own),
/// with an environment of exactly the settings a test gives: inherited configuration variables are removed.
/// </summary>
internal sealed class MarketPulseProcess : IDisposable
{
    /// <summary>Only a safety net against a hung child; tests never assert how long a process took.</summary>
    public static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private MarketPulseProcess(Process process) => _process = process;

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "marketpulse.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StandardOutput => Snapshot(_stdout);

    public IReadOnlyList<string> StandardError => Snapshot(_stderr);

    public static MarketPulseProcess Start(IEnumerable<string> args, IEnumerable<KeyValuePair<string, string?>> environment)
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} is missing: the test project should copy the referenced MarketPulse build next to itself.");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Section__Key variables of the test run (connection strings of the shared stack, ...) must not leak in.
        foreach (var key in psi.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        var started = new MarketPulseProcess(process);
        process.OutputDataReceived += (_, e) => started.Add(started._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => started.Add(started._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs the CLI to its end and returns the process (exited).</summary>
    public static async Task<MarketPulseProcess> RunAsync(IEnumerable<string> args, IEnumerable<KeyValuePair<string, string?>> environment)
    {
        var process = Start(args, environment);
        await process.WaitForExitAsync();
        return process;
    }

    /// <summary>Waits for the process to end by itself; past the safety net it is killed and the test fails.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var safety = new CancellationTokenSource(SafetyNet);
        try
        {
            await _process.WaitForExitAsync(safety.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"marketpulse did not end by itself.\nstdout:\n{string.Join('\n', StandardOutput)}\nstderr:\n{string.Join('\n', StandardError)}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Writes <paramref name="text"/> to the process's standard input and closes it.</summary>
    public async Task WriteInputAndCloseAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        _process.StandardInput.Close();
    }

    /// <summary>Sends SIGKILL, as a crash or the OOM killer would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-KILL", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as a service manager (or a script) stops the service.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Everything the process printed, for assertion messages.</summary>
    public string Describe() =>
        $"exit code {(_process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(running)")}\n" +
        $"stdout:\n{string.Join('\n', StandardOutput)}\nstderr:\n{string.Join('\n', StandardError)}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }
}
