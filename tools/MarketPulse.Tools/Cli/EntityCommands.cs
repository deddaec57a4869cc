using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Sentiment;
using MarketPulse.Cli;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Cli;

/// <summary><c>train entities</c> and <c>eval entities</c>: the entity tagger on SEntFiN.</summary>
internal static class EntityCommands
{
    private const string TaggerPath = "src/MarketPulse.Analysis/Entities/entity-tagger.bin";
    private const string SentimentPath = "src/MarketPulse.Analysis/Entities/entity-sentiment.bin";

    public static Command CreateTrain()
    {
        var data = new Option<string>("--data") { Description = "SEntFiN train.csv (id,headline,entities); its held-out split is never fitted on", Required = true, HelpName = "FILE" };
        var output = new Option<string?>("--out") { Description = "where to write the tagger (default: the committed " + TaggerPath + ")", HelpName = "FILE" };
        var seed = CommandOptions.WholeNumber("--seed", "random seed of the shuffles", 42, 0, int.MaxValue);
        var epochs = CommandOptions.WholeNumber("--epochs", "passes over the data", 6, 1, 50);
        var securities = Securities();
        var errors = Errors();
        var minPrecision = new Option<double>("--min-precision") { Description = "precision the chosen Begin shift must keep on the inner split (0-1)", DefaultValueFactory = _ => 0.87 };
        var command = new Command("entities", "train the entity tagger: --data train.csv --securities DIR [--epochs N] [--seed N] [--min-precision P] [--out FILE] [--errors FILE]") { data, output, seed, epochs, securities, minPrecision, errors };
        command.SetAction(parse =>
        {
            var catalog = SecurityCatalog.Load(parse.GetValue(securities));
            var rows = SentfinCsv.Read(Existing(parse.GetValue(data)!));
            var fit = rows.Where(h => !HeldOutSplit.IsHeldOut(h.Id)).ToList();
            Console.WriteLine($"{fit.Count} headlines to fit on, {rows.Count - fit.Count} held out");
            var precision = parse.GetValue(minPrecision);
            if (precision is < 0 or > 1)
            {
                throw new UsageException("--min-precision must be between 0 and 1.");
            }

            var tagger = EntityTraining.TrainTuned(fit, catalog, parse.GetValue(epochs), parse.GetValue(seed), precision, Console.Out);
            var path = parse.GetValue(output) ?? RepositoryPath(TaggerPath);
            using (var file = File.Create(path))
            {
                tagger.Save(file);
            }

            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
            var held = rows.Where(h => HeldOutSplit.IsHeldOut(h.Id)).ToList();
            var extractor = new EntityExtractor(catalog, tagger);
            Console.WriteLine("== held-out recognition (no sentiment)");
            using var errorFile = ErrorWriter(parse.GetValue(errors));
            Console.WriteLine(EntityTraining.Report(held, t => extractor.Extract(t).Select(m => m.Entity).ToList(), errorFile));
            return 0;
        });
        return command;
    }

    public static Command CreateTrainSentiment()
    {
        var data = new Option<string>("--data") { Description = "SEntFiN train.csv (id,headline,entities); its held-out split is never fitted on", Required = true, HelpName = "FILE" };
        var output = new Option<string?>("--out") { Description = "where to write the model (default: the committed " + SentimentPath + ")", HelpName = "FILE" };
        var cache = new Option<string?>("--cache") { Description = "file that keeps the headline model's predictions between runs (keyed by its version), so headlines are embedded once", HelpName = "FILE" };
        var bits = CommandOptions.WholeNumber("--bits", "feature hash table size, log2", 16, 10, 22);
        var command = new Command("entity-sentiment", "train the entity sentiment model: --data train.csv [--cache FILE] [--bits N] [--out FILE]") { data, output, cache, bits };
        command.SetAction((parse, cancellationToken) =>
        {
            var rows = SentfinCsv.Read(Existing(parse.GetValue(data)!));
            var model = SentimentModel.LoadEmbedded();
            var headline = HeadlinePredictions(rows, model, parse.GetValue(cache), cancellationToken);
            var shape = new EntitySentimentModel(parse.GetValue(bits));
            var fit = EntitySentimentTraining.Rows(rows.Where(h => !HeldOutSplit.IsHeldOut(h.Id)).ToList(), h => headline[h.Id], shape);
            var held = EntitySentimentTraining.Rows(rows.Where(h => HeldOutSplit.IsHeldOut(h.Id)).ToList(), h => headline[h.Id], shape);
            var watch = Stopwatch.StartNew();
            var trained = EntitySentimentTraining.Train(fit, parse.GetValue(bits), Console.Out, cancellationToken);
            Console.WriteLine($"trained in {watch.Elapsed.TotalSeconds:F1} s (after the headline predictions)");
            var path = parse.GetValue(output) ?? RepositoryPath(SentimentPath);
            using (var file = File.Create(path))
            {
                trained.Save(file);
            }

            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
            Console.WriteLine("== held-out gold mentions (the analyser's own spans: eval entities)");
            Console.WriteLine(EntitySentimentTraining.Report(trained, held));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Dictionary<string, SentimentPrediction> HeadlinePredictions(IReadOnlyList<SentfinHeadline> rows, SentimentModel model, string? cache, CancellationToken cancellationToken)
    {
        var predictions = new Dictionary<string, SentimentPrediction>(StringComparer.Ordinal);
        var cachePath = cache is null ? null : cache + "." + model.Version;
        if (cachePath is not null && File.Exists(cachePath))
        {
            foreach (var line in File.ReadLines(cachePath))
            {
                var f = line.Split('\t');
                predictions[f[0]] = new SentimentPrediction(Enum.Parse<SentimentLabel>(f[1]), double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
            }

            if (rows.All(h => predictions.ContainsKey(h.Id)))
            {
                return predictions;
            }
        }

        using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8);
        for (var k = 0; k < rows.Count; k += 64)
        {
            var batch = rows.Skip(k).Take(64).ToList();
            var texts = batch.Select(h => h.Text).ToList();
            var p = model.Predict(texts, embedder.Embed(texts, cancellationToken));
            for (var j = 0; j < batch.Count; j++)
            {
                predictions[batch[j].Id] = p[j];
            }

            Console.Error.WriteLine($"headline model {Math.Min(k + 64, rows.Count)}/{rows.Count}");
        }

        if (cachePath is not null)
        {
            File.WriteAllLines(cachePath, predictions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}\t{p.Value.Label}\t{p.Value.Score:R}\t{p.Value.Confidence:R}")));
        }

        return predictions;
    }

    public static Command CreateEval()
    {
        var data = new Option<string>("--data") { Description = "SEntFiN train.csv", Required = true, HelpName = "FILE" };
        var split = new Option<DataSplit>("--split") { Description = "rows to score: heldout (default), train or all", DefaultValueFactory = _ => DataSplit.HeldOut };
        var tagger = new Option<string?>("--tagger") { Description = "tagger file (default: the built-in one; 'none' for the catalogue alone)", HelpName = "FILE" };
        var securities = Securities();
        var errors = Errors();
        var command = new Command("entities", "evaluate entity recognition and entity sentiment: --data train.csv --securities DIR [--split heldout] [--tagger FILE|none] [--errors FILE]") { data, split, tagger, securities, errors };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rows = SentfinCsv.Read(Existing(parse.GetValue(data)!)).Where(h => HeldOutSplit.Includes(parse.GetValue(split), h.Id)).ToList();
            EntityTagger? model = parse.GetValue(tagger) switch
            {
                "none" => null,
                null => EntityTagger.LoadEmbedded(),
                var path => LoadTagger(path),
            };
            var extractor = new EntityExtractor(SecurityCatalog.Load(parse.GetValue(securities)), model);
            using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8);
            var analyzer = new EmbeddedAnalyzer(embedder, SentimentModel.LoadEmbedded(), extractor);
            var results = new Dictionary<string, IReadOnlyList<Entity>>(StringComparer.Ordinal);
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < rows.Count; k += 64)
            {
                var batch = rows.Skip(k).Take(64).ToList();
                var analysed = await analyzer.AnalyzeAsync(batch.Select(h => new AnalysisRequest(h.Text, "news")).ToList(), cancellationToken);
                for (var j = 0; j < batch.Count; j++)
                {
                    results[batch[j].Text] = analysed[j].Entities;
                }

                Console.Error.WriteLine($"analysed {Math.Min(k + 64, rows.Count)}/{rows.Count}");
            }

            var analysis = watch.Elapsed;
            watch.Restart();
            // Recognition and the entity sentiment model (the headline's prediction is an input, so a fixed one stands in).
            var entitySentiment = EntitySentimentModel.Shared;
            var standIn = new SentimentPrediction(SentimentLabel.Neutral, 0, 0.5);
            foreach (var h in rows)
            {
                var found = extractor.Extract(h.Text);
                foreach (var m in found)
                {
                    entitySentiment?.Predict(h.Text, m.Start, m.Length, standIn, found.Where(o => !ReferenceEquals(o, m)).Select(o => o.Start).ToList());
                }
            }

            var entityTime = watch.Elapsed;
            Console.WriteLine($"== entities on {rows.Count} headlines, split {parse.GetValue(split).ToString().ToLowerInvariant()}, tagger {(model is null ? "none" : "on")}");
            using var errorFile = ErrorWriter(parse.GetValue(errors));
            Console.WriteLine(EntityTraining.Report(rows, t => results[t], errorFile));
            Console.WriteLine($"time: analysis {analysis.TotalMilliseconds / rows.Count:F2} ms/item, entities (recognition and entity sentiment) {entityTime.TotalMilliseconds / rows.Count:F3} ms/item ({entityTime / analysis:P1})");
            return 0;
        });
        return command;
    }

    private static EntityTagger LoadTagger(string path)
    {
        using var file = File.OpenRead(Existing(path));
        return EntityTagger.Load(file);
    }

    private static Option<string?> Errors() => new("--errors") { Description = "write each missed gold entity and each extra prediction to this file (tab-separated, with the headline)", HelpName = "FILE" };

    private static StreamWriter? ErrorWriter(string? path) => path is null ? null : new StreamWriter(path);

    private static Option<string?> Securities() => new("--securities") { Description = "folder of securities lists (the catalogue)", HelpName = "DIR" };

    private static string Existing(string path) => File.Exists(path) ? path : throw new UsageException($"no file at {path}.");

    private static string RepositoryPath(string relative)
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPulse.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new UsageException("not inside the MarketPulse repository: say where to write with --out.");
    }
}
