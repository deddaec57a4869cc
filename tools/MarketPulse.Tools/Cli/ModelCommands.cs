using System.CommandLine;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Cli;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Cli;

/// <summary><c>train</c> and <c>eval</c> of the embedded sentiment model.</summary>
internal static class ModelCommands
{
    private const string WeightsPath = "src/MarketPulse.Analysis/Sentiment/sentiment-model.bin";

    /// <summary>
    /// <c>marketpulse train --data train.csv [--out FILE] [--seed 42]</c>: trains with a fixed seed and writes
    /// the weights (by default the file the repository commits). The same data and seed give the same file.
    /// </summary>
    public static Command CreateTrain()
    {
        var data = new Option<string>("--data") { Description = "training data, CSV with text,label columns", HelpName = "CSV", Required = true };
        var output = new Option<string?>("--out") { Description = "where to write the weights (default: the committed " + WeightsPath + ")", HelpName = "FILE" };
        var seed = CommandOptions.WholeNumber("--seed", "random seed: the same data and seed give the same file", 42, 0, int.MaxValue);
        var command = new Command("train", "train the embedded sentiment model: --data train.csv [--out FILE] [--seed N]") { data, output, seed };
        command.SetAction((parse, cancellationToken) => TrainAsync(parse.GetValue(data)!, parse.GetValue(output), parse.GetValue(seed), cancellationToken));
        return command;
    }

    /// <summary><c>marketpulse eval --data valid.csv [--model FILE]</c>: accuracy, macro and weighted F1, confusion matrix.</summary>
    public static Command CreateEval()
    {
        var data = new Option<string>("--data") { Description = "evaluation data, CSV with text,label columns", HelpName = "CSV", Required = true };
        var model = new Option<string?>("--model") { Description = "weights file to evaluate (default: the model built into the service)", HelpName = "FILE" };
        var command = new Command("eval", "evaluate the sentiment model: --data CSV(text,label) [--model FILE]") { data, model };
        command.SetAction((parse, cancellationToken) => EvalAsync(parse.GetValue(data)!, parse.GetValue(model), cancellationToken));
        return command;
    }

    private static async Task<int> TrainAsync(string dataPath, string? outputPath, int seed, CancellationToken cancellationToken)
    {
        var data = ExistingFile(dataPath);
        var output = outputPath ?? DefaultWeightsPath();

        using var embedder = new MiniLmEmbedder();
        var model = await SentimentTraining.TrainAsync(data, embedder, seed, Console.Out, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await using (var file = File.Create(output))
        {
            model.Save(file);
        }

        Console.WriteLine($"wrote {output} ({new FileInfo(output).Length:N0} bytes, version {model.Version})");
        return 0;
    }

    private static async Task<int> EvalAsync(string dataPath, string? modelPath, CancellationToken cancellationToken)
    {
        var data = ExistingFile(dataPath);
        SentimentModel model;
        if (modelPath is { } path)
        {
            await using var file = File.OpenRead(ExistingFile(path));
            model = SentimentModel.Load(file);
        }
        else
        {
            model = SentimentModel.LoadEmbedded();
        }

        using var embedder = new MiniLmEmbedder();
        Console.Error.WriteLine($"evaluating sentiment model {model.Version} on {data} ...");
        var report = await SentimentTraining.EvaluateAsync(data, model, embedder, cancellationToken);
        Console.WriteLine(report.Format());
        return 0;
    }

    private static string ExistingFile(string path) =>
        File.Exists(path) ? path : throw new UsageException($"no file at {path}.");

    /// <summary>The committed weights file, found from the current folder up to the repository root.</summary>
    private static string DefaultWeightsPath()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPulse.slnx")))
            {
                return Path.Combine(dir.FullName, WeightsPath);
            }
        }

        throw new UsageException("not inside the MarketPulse repository: say where to write the weights with --out.");
    }
}
