using System.CommandLine;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Cli;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Cli;

/// <summary><c>train</c> and <c>eval</c> of the embedded sentiment model.</summary>
internal static class ModelCommands
{
    private const string WeightsPath = "src/MarketPulse.Analysis/Sentiment/sentiment-model.bin";

    private const string DataHelp = "a labelled file as PATH or PATH:FORM; FORM is tfns (text,label; 0 bearish, 1 bullish, 2 neutral) or sentfin "
        + "(id,headline,entities; entities a JSON object entity -> positive|negative|neutral), read from the header when not given";

    /// <summary>
    /// <c>marketpulse train --data FILE[:FORM] ... [--out FILE] [--seed 42] [--precision int8]</c>: trains with a fixed seed on
    /// every file but its held-out part, writes the weights (by default the file the repository commits) and reports on
    /// each held-out part. The same data and seed give the same file.
    /// </summary>
    public static Command CreateTrain()
    {
        var data = DataOption("training data, one or more files (all but their held-out " + HeldOutSplit.Percent + " % is fitted on; TFNS valid.csv is refused). " + DataHelp);
        var output = new Option<string?>("--out") { Description = "where to write the weights (default: the committed " + WeightsPath + ")", HelpName = "FILE" };
        var seed = CommandOptions.WholeNumber("--seed", "random seed: the same data and seed give the same file", 42, 0, int.MaxValue);
        var precision = PrecisionOption();
        var securities = SecuritiesOption();
        var command = new Command("train", "train the embedded sentiment model: --data FILE[:FORM] ... [--out FILE] [--seed N] [--precision int8|int8all|float32]")
        {
            data, output, seed, precision, securities,
        };
        command.Subcommands.Add(EntityCommands.CreateTrain());
        command.Subcommands.Add(EntityCommands.CreateTrainSentiment());
        command.Subcommands.Add(LayerCommands.CreateTrain());
        command.SetAction((parse, cancellationToken) => TrainAsync(
            Files(parse.GetValue(data)!), parse.GetValue(output), parse.GetValue(seed), parse.GetValue(precision), parse.GetValue(securities), cancellationToken));
        return command;
    }

    /// <summary>
    /// <c>marketpulse eval --data FILE[:FORM] ... [--split all|train|heldout] [--model FILE]</c>: accuracy, macro and weighted F1,
    /// ECE, confusion matrix; for SEntFiN also entity-level accuracy.
    /// </summary>
    public static Command CreateEval()
    {
        var data = DataOption("evaluation data, one or more files. " + DataHelp);
        var model = new Option<string?>("--model") { Description = "weights file to evaluate (default: the model built into the service)", HelpName = "FILE" };
        var split = new Option<DataSplit>("--split")
        {
            Description = "rows to score: all, heldout (the " + HeldOutSplit.Percent + " % that train never fits on, chosen by a stable hash of the id or text) or train",
            DefaultValueFactory = _ => DataSplit.All,
        };
        var precision = PrecisionOption();
        var securities = SecuritiesOption();
        var command = new Command("eval", "evaluate the sentiment model: --data FILE[:FORM] ... [--split all|heldout|train] [--model FILE] [--precision int8|int8all|float32]")
        {
            data, model, split, precision, securities,
        };
        command.Subcommands.Add(EntityCommands.CreateEval());
        command.Subcommands.Add(LayerCommands.CreateEval());
        command.SetAction((parse, cancellationToken) => EvalAsync(
            Files(parse.GetValue(data)!), parse.GetValue(model), parse.GetValue(split), parse.GetValue(precision), parse.GetValue(securities), cancellationToken));
        return command;
    }

    private static Option<string[]> DataOption(string description) =>
        new("--data") { Description = description, HelpName = "FILE[:FORM]", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };

    private static Option<EmbeddingPrecision> PrecisionOption() => new("--precision")
    {
        Description = "MiniLM precision of the sentence vectors: int8 (the service default, Analysis:EmbeddingPrecision), int8all (every product in int8) or float32",
        DefaultValueFactory = _ => EmbeddingPrecision.Int8,
    };

    private static Option<string?> SecuritiesOption() => new("--securities")
    {
        Description = "folder of securities lists for the entity extractor in SEntFiN entity-level figures (default: none, built-in entities only)",
        HelpName = "DIR",
    };

    /// <summary>Parses <c>--data</c> specs; a file that is missing or of no known layout is a usage error.</summary>
    internal static List<TrainingFile> Files(string[] specs)
    {
        var files = new List<TrainingFile>();
        foreach (var spec in specs)
        {
            try
            {
                files.Add(TrainingFile.Parse(spec));
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
        }

        return files;
    }

    private static async Task<int> TrainAsync(List<TrainingFile> files, string? outputPath, int seed, EmbeddingPrecision precision, string? securities, CancellationToken cancellationToken)
    {
        if (files.FirstOrDefault(f => f.IsEvaluationOnly()) is { } refused)
        {
            throw new UsageException($"{refused.Path} is TFNS valid.csv, which is only for reporting: train never reads it.");
        }

        var output = outputPath ?? DefaultWeightsPath();
        var rows = new List<LabeledText>();
        foreach (var file in files)
        {
            var fit = file.Read(DataSplit.Train);
            rows.AddRange(fit.Sentences);
            Console.WriteLine($"{file.Path} ({file.Form}): {fit.Sentences.Count} rows to fit on, held-out part kept back");
        }

        using var embedder = new MiniLmEmbedder(precision);
        Console.WriteLine($"embedding with {embedder.ModelId}");
        var model = await SentimentTraining.TrainAsync(rows, embedder, new SentimentTrainingOptions { Seed = seed }, Console.Out, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await using (var file = File.Create(output))
        {
            model.Save(file);
        }

        Console.WriteLine($"wrote {output} ({new FileInfo(output).Length:N0} bytes, version {model.Version})");
        await ReportAsync(files, DataSplit.HeldOut, model, embedder, securities, cancellationToken);
        return 0;
    }

    private static async Task<int> EvalAsync(List<TrainingFile> files, string? modelPath, DataSplit split, EmbeddingPrecision precision, string? securities, CancellationToken cancellationToken)
    {
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

        using var embedder = new MiniLmEmbedder(precision);
        await ReportAsync(files, split, model, embedder, securities, cancellationToken);
        return 0;
    }

    private static async Task ReportAsync(List<TrainingFile> files, DataSplit split, SentimentModel model, MiniLmEmbedder embedder, string? securities, CancellationToken cancellationToken)
    {
        var analyzer = new EmbeddedAnalyzer(embedder, model, new EntityExtractor(SecurityCatalog.Load(securities), EntityTagger.LoadEmbedded()));
        foreach (var file in files)
        {
            var data = file.Read(split);
            Console.WriteLine($"== sentiment model {model.Version} ({embedder.ModelId}) on {file.Path} ({file.Form}), split {split.ToString().ToLowerInvariant()}");
            Console.WriteLine(await DataEvaluation.ReportAsync(data, model, embedder, analyzer, cancellationToken));
        }
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
