using System.Diagnostics;
using System.Globalization;

namespace MarketPulse.Tools.Chaos;

/// <summary>A role of the service run as its own OS process, its output appended to a log file.</summary>
internal sealed class ChildProcess(string name, string serviceDll, string arguments, IReadOnlyDictionary<string, string> environment, string logFile) : IDisposable
{
    private Process? _process;

    public string Name { get; } = name;

    public void Start()
    {
        // exec: the shell becomes the service, so the pid we hold is the service's (SIGKILL reaches it).
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet \"{serviceDll}\" {arguments} >>\"{logFile}\" 2>&1"]) { UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Name}");
    }

    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
    }

    /// <summary>SIGTERM, as an operator stops a role; SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public bool HasExited => _process?.HasExited ?? true;

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            Kill();
        }

        _process?.Dispose();
    }
}
