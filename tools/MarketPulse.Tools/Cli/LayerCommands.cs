using System.CommandLine;
using System.Diagnostics;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Cli;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Cli;

/// <summary><c>train layer</c> and <c>eval layer</c>: MiniLM's last encoder layer fine-tuned for sentiment (docs/sentiment-model.md).</summary>
internal static class LayerCommands
{
    private const string DataHelp = "labelled files as PATH or PATH:tfns|sentfin (the form read from the header when not given)";

    public static Command CreateTrain()
    {
        var data = Data("training data, one or more files; their held-out " + HeldOutSplit.Percent + " % is only used to stop early and fit the combination (TFNS valid.csv is refused). " + DataHelp);
        var output = new Option<string>("--out") { Description = "where to write the fine-tuned layer", Required = true, HelpName = "FILE" };
        var cache = new Option<string?>("--cache") { Description = "file keeping the texts' token states between runs (about 40 KB a text)", HelpName = "FILE" };
        var baseModel = new Option<string?>("--base") { Description = "sentiment model whose probabilities are combined with the head's (default: the built-in one)", HelpName = "FILE" };
        var seed = CommandOptions.WholeNumber("--seed", "random seed of the shuffles", 42, 0, int.MaxValue);
        var epochs = CommandOptions.WholeNumber("--epochs", "most passes over the data (the best held-out epoch is kept)", 3, 1, 20);
        var limit = CommandOptions.WholeNumber("--limit", "fit on only this many rows (a seeded sample), for a short run; 0 for all", 0, 0, int.MaxValue);
        var layerRate = new Option<double>("--layer-rate") { Description = "peak AdamW learning rate of the layer", DefaultValueFactory = _ => 1e-4 };
        var headRate = new Option<double>("--head-rate") { Description = "peak AdamW learning rate of the head", DefaultValueFactory = _ => 1e-3 };
        var threads = CommandOptions.WholeNumber("--threads", "threads (the result does not depend on it)", 2, 1, 2);
        var command = new Command("layer", "fine-tune MiniLM's last layer and a head: --data FILE ... --out FILE [--cache FILE] [--epochs N] [--limit N]")
        {
            data, output, cache, baseModel, seed, epochs, limit, layerRate, headRate, threads,
        };
        command.SetAction((parse, ct) =>
        {
            var files = Files(parse.GetValue(data)!);
            if (files.FirstOrDefault(f => f.IsEvaluationOnly()) is { } refused)
            {
                throw new UsageException($"{refused.Path} is TFNS valid.csv, which is only for reporting: train never reads it.");
            }

            var fit = new List<LabeledText>();
            var held = new List<(LabeledText Row, string Group)>();
            foreach (var file in files)
            {
                fit.AddRange(file.Read(DataSplit.Train).Sentences);
                held.AddRange(file.Read(DataSplit.HeldOut).Sentences.Select(r => (r, file.Form.ToString().ToLowerInvariant())));
            }

            if (parse.GetValue(limit) is > 0 and var n && n < fit.Count)
            {
                var sample = fit.ToArray();
                new Random(parse.GetValue(seed)).Shuffle(sample);
                fit = sample.Take(n).ToList();
            }

            Console.WriteLine($"{fit.Count} rows to fit on, {held.Count} held out");
            var model = LoadModel(parse.GetValue(baseModel));
            using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8, exposeLastLayerInput: true);
            var texts = fit.Select(r => r.Text).Concat(held.Select(h => h.Row.Text)).ToList();
            var (vectors, states) = LayerStatesCache.Get(texts, embedder, parse.GetValue(cache), Console.Out, ct);
            var tuning = held.Select((h, i) => new TuningRow(states[fit.Count + i], (int)h.Row.Label, model.Probabilities(h.Row.Text, vectors[fit.Count + i]), h.Group)).ToList();
            var options = new LayerFineTuningOptions
            {
                Seed = parse.GetValue(seed),
                MaxEpochs = parse.GetValue(epochs),
                LayerLearningRate = parse.GetValue(layerRate),
                HeadLearningRate = parse.GetValue(headRate),
                Threads = parse.GetValue(threads),
            };
            Console.WriteLine($"options: {options}");
            var clock = Stopwatch.StartNew();
            var tuned = LayerFineTuning.Train(states[..fit.Count], vectors[..fit.Count], fit.Select(r => (int)r.Label).ToArray(), tuning, MiniLmEmbedder.ReadLastLayer(), embedder.ModelId, options, Console.Out, ct);
            Console.WriteLine($"fine-tuned in {clock.Elapsed.TotalSeconds:F0} s (after the token states)");
            var path = parse.GetValue(output)!;
            using (var file = File.Create(path))
            {
                tuned.Save(file);
            }

            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command CreateEval()
    {
        var data = Data("evaluation data, one or more files. " + DataHelp);
        var layer = new Option<string>("--layer") { Description = "fine-tuned layer written by train layer", Required = true, HelpName = "FILE" };
        var baseModel = new Option<string?>("--model") { Description = "sentiment model combined with the layer (default: the built-in one)", HelpName = "FILE" };
        var split = new Option<DataSplit>("--split") { Description = "rows to score: all, heldout or train", DefaultValueFactory = _ => DataSplit.All };
        var command = new Command("layer", "evaluate a fine-tuned layer alone and combined with the sentiment model: --data FILE ... --layer FILE [--split S]")
        {
            data, layer, baseModel, split,
        };
        command.SetAction((parse, ct) =>
        {
            FineTunedLayer tuned;
            using (var file = File.OpenRead(parse.GetValue(layer)!))
            {
                tuned = FineTunedLayer.Load(file);
            }

            var model = LoadModel(parse.GetValue(baseModel));
            using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8, exposeLastLayerInput: true);
            foreach (var file in Files(parse.GetValue(data)!))
            {
                var rows = file.Read(parse.GetValue(split)!).Sentences;
                var texts = rows.Select(r => r.Text).ToList();
                var (vectors, states) = LayerStatesCache.Get(texts, embedder, null, TextWriter.Null, ct);
                var gold = rows.Select(r => r.Label).ToList();
                var baseProbabilities = rows.Select((r, i) => model.Probabilities(r.Text, vectors[i])).ToArray();
                var clock = Stopwatch.StartNew();
                var headLogits = states.Select(s => tuned.Run(s).Logits).ToArray();
                var layerMs = clock.Elapsed.TotalMilliseconds / rows.Count;
                Console.WriteLine($"== {file.Path} ({file.Form}), split {parse.GetValue(split).ToString().ToLowerInvariant()}, {rows.Count} sentences; fine-tuned layer {layerMs:F2} ms a text on one thread");
                Console.WriteLine($"-- base model {model.Version}");
                Console.WriteLine(EvaluationReport.Create(gold, baseProbabilities.Select(SentimentModel.ToPrediction).ToList()).Format());
                Console.WriteLine("-- fine-tuned head alone");
                Console.WriteLine(EvaluationReport.Create(gold, headLogits.Select(z => SentimentModel.ToPrediction(FineTunedLayer.Combine(z, z, 0, 1))).ToList()).Format());
                Console.WriteLine($"-- combined (base share {tuned.BaseShare:F2}, temperature {tuned.Temperature:F3})");
                Console.WriteLine(EvaluationReport.Create(gold, baseProbabilities.Select((p, i) => SentimentModel.ToPrediction(tuned.Combine(p, headLogits[i]))).ToList()).Format());
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static SentimentModel LoadModel(string? path)
    {
        if (path is null)
        {
            return SentimentModel.LoadEmbedded();
        }

        using var file = File.OpenRead(path);
        return SentimentModel.Load(file);
    }

    private static Option<string[]> Data(string description) =>
        new("--data") { Description = description, HelpName = "FILE[:FORM]", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };

    private static List<TrainingFile> Files(string[] specs)
    {
        try
        {
            return specs.Select(TrainingFile.Parse).ToList();
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
