using System.CommandLine;
using MarketPulse.Cli;

namespace MarketPulse.Tools.Cli;

/// <summary>
/// <c>marketpulse-tools &lt;command&gt; [options]</c>: the commands that are not part of the service. The repository's
/// <c>./marketpulse</c> wrapper hands <c>bench</c>, <c>train</c> and <c>eval</c> to this executable.
/// </summary>
public static class ToolsCommandLine
{
    public static Task<int> RunAsync(string[] args) => CommandRunner.RunAsync(Build, args);

    public static RootCommand Build(string[] configuration) => new("MarketPulse tools: benchmarks and the sentiment model's training. " + CommandLine.SettingsHelp)
    {
        ModelCommands.CreateTrain(),
        ModelCommands.CreateEval(),
        BenchCommand.Create(configuration),
        Chaos.ChaosCommand.Create(configuration),
    };
}
