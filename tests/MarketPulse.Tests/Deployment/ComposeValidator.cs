using System.Diagnostics;

namespace MarketPulse.Tests.Deployment;

/// <summary>
/// Debian's docker-compose 1.29: `config` parses, interpolates and checks a compose file against its schema without
/// a Docker engine or any image. ./test.sh installs it; without it the validation tests fail, they do not skip.
/// </summary>
internal static class ComposeValidator
{
    public const string Tool = "docker-compose";

    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Tool))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <c>docker-compose --env-file ENV -f FILE config</c> with the given profiles; returns the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Output)> ConfigAsync(string composeFile, string envFile, string profiles, params string[] extra)
    {
        var tool = Find();
        Assert.True(tool is not null, $"{Tool} is not installed: `apt-get install docker-compose` (./test.sh does it) to validate compose.yaml offline.");
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(composeFile)!,
        };
        foreach (var arg in new[] { "--env-file", envFile, "-f", composeFile, "config" }.Concat(extra))
        {
            psi.ArgumentList.Add(arg);
        }

        // Only the template decides what is set: variables of the test run must not fill in a missing value.
        foreach (var name in ComposeFile.Variables(File.ReadAllText(composeFile)).Distinct())
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["COMPOSE_PROFILES"] = profiles;
        using var process = Process.Start(psi)!;
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(safety.Token);
        var stderr = process.StandardError.ReadToEndAsync(safety.Token);
        await process.WaitForExitAsync(safety.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
