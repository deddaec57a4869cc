using System.CommandLine;
using MarketPulse.Tools.Cli;

namespace MarketPulse.Tools.Tests.Cli;

/// <summary>The tools' command line, parsed and its help written in-process.</summary>
public sealed class ToolsCommandLineTests
{
    [Fact]
    public async Task Help_lists_the_tools_commands_with_one_line_each()
    {
        var help = await HelpAsync("--help");

        var commands = help.SkipWhile(l => l != "Commands:").Skip(1).TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ')[0]);
        Assert.Equal(["train", "eval", "bench", "chaos"], commands);
    }

    [Theory]
    [InlineData("ingest", "--seconds", "--concurrency", "--batch", "--warmup")]
    [InlineData("dedup", "--vectors", "--queries")]
    [InlineData("analyze", "--seconds", "--rate", "--burst")]
    public async Task Each_benchmark_has_help_with_its_options(string benchmark, params string[] options)
    {
        var help = await HelpAsync("bench", benchmark, "--help");

        Assert.Contains(help, l => l.Trim().EndsWith($" bench {benchmark} [options]", StringComparison.Ordinal));
        foreach (var option in options)
        {
            Assert.Contains(help, l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(new[] { "bench", "ingest", "--seconds", "2" }, "--seconds takes a whole number from 5 to 3600, not '2'.")]
    [InlineData(new[] { "bench", "dedup", "--queries", "many" }, "--queries takes a whole number from 20 to 1000000, not 'many'.")]
    [InlineData(new[] { "train", "--seed", "7" }, "Option '--data' is required.")]
    [InlineData(new[] { "bench", "replay" }, "Unrecognized command or argument 'replay'.")]
    public void Bad_arguments_are_parse_errors_that_say_what_is_wrong(string[] args, string error)
    {
        var result = ToolsCommandLine.Build([]).Parse(args);

        Assert.Contains(error, result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Options_keep_their_names_and_defaults()
    {
        var result = ToolsCommandLine.Build([]).Parse(["bench", "ingest", "--concurrency=64"]);

        Assert.Empty(result.Errors);
        Assert.Equal(64, result.GetValue<int>("--concurrency"));
        Assert.Equal(60, result.GetValue<int>("--seconds"));
        Assert.Equal(15, result.GetValue<int>("--warmup"));
    }

    private static async Task<string[]> HelpAsync(params string[] args)
    {
        using var output = new StringWriter();
        var exitCode = await ToolsCommandLine.Build([]).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exitCode);
        return output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }
}
