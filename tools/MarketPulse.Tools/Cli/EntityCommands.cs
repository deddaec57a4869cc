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
        var corpus = new Option<string[]>("--casing-corpus")
        {
            Description = "text,label files (TFNS train.csv) whose fitted part's texts, unlabelled, with the fitted headlines, count how words are cased in prose: turns on the tagger's casing feature (off by default; docs/entities.md has its figures); TFNS valid.csv is refused",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var folds = CommandOptions.WholeNumber("--folds", "instead of training: K-fold cross-validation of the whole recipe over the fitted part (the held-out split untouched), to compare variants on 7,877 headlines rather than 855", 0, 0, 20);
        var tokenVectors = new Option<bool>("--token-vectors") { Description = "also read the encoder's output for each word and its neighbours (int8 MiniLM, the pass that gives the sentence vector) with dense weights (docs/entities.md has the figures)" };
        var command = new Command("entities", "train the entity tagger: --data train.csv --securities DIR [--casing-corpus tfns/train.csv] [--token-vectors] [--epochs N] [--seed N] [--min-precision P] [--out FILE] [--errors FILE] [--folds K]")
        {
            data, output, seed, epochs, securities, minPrecision, errors, corpus, folds, tokenVectors,
        };
        command.SetAction(parse =>
        {
            var texts = new List<string>();
            foreach (var file in ModelCommands.Files(parse.GetValue(corpus) ?? []))
            {
                if (file.IsEvaluationOnly())
                {
                    throw new UsageException($"{file.Path} is TFNS valid.csv, which is only for reporting: training never reads it.");
                }

                if (file.Form != DataForm.Tfns)
                {
                    throw new UsageException($"{file.Path} is a SEntFiN file: --data's headlines are counted already; --casing-corpus takes text,label files.");
                }

                texts.AddRange(file.Read(DataSplit.Train).Sentences.Select(s => s.Text));
            }

            var catalog = SecurityCatalog.Load(parse.GetValue(securities));
            var rows = SentfinCsv.Read(Existing(parse.GetValue(data)!));
            var fit = rows.Where(h => !HeldOutSplit.IsHeldOut(h.Id)).ToList();
            Console.WriteLine($"{fit.Count} headlines to fit on, {rows.Count - fit.Count} held out");
            var precision = parse.GetValue(minPrecision);
            if (precision is < 0 or > 1)
            {
                throw new UsageException("--min-precision must be between 0 and 1.");
            }

            var k = parse.GetValue(folds);
            if (k == 1)
            {
                throw new UsageException("--folds needs at least 2 folds.");
            }

            // Every headline's states, the held-out ones too (to recognise them); the centre is fitted on the fitted part alone.
            var states = parse.GetValue(tokenVectors) ? EncodeHeadlines(rows.Select(h => h.Text)) : null;
            if (k > 0)
            {
                EntityTraining.CrossValidate(fit, texts.Count == 0 ? null : texts, catalog, parse.GetValue(epochs), parse.GetValue(seed), precision, k, Console.Out, states);
                return 0;
            }

            var tagger = EntityTraining.TrainTuned(fit, texts.Count == 0 ? null : texts, catalog, parse.GetValue(epochs), parse.GetValue(seed), precision, Console.Out, states);
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
            Console.WriteLine(EntityTraining.Report(held, t => extractor.Extract(t, EntityTraining.StatesOf(states, t)).Select(m => m.Entity).ToList(), errorFile));
            return 0;
        });
        return command;
    }

    /// <summary>Each distinct text's word pieces and encoder output (int8 MiniLM, as the service runs it), with a progress line.</summary>
    private static Dictionary<string, TokenStates> EncodeHeadlines(IEnumerable<string> texts)
    {
        var distinct = texts.Distinct(StringComparer.Ordinal).ToList();
        var states = new Dictionary<string, TokenStates>(StringComparer.Ordinal);
        using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8);
        var watch = Stopwatch.StartNew();
        for (var k = 0; k < distinct.Count; k += 512)
        {
            var batch = distinct.Skip(k).Take(512).ToList();
            var (_, tokens) = embedder.EmbedWithTokens(batch);
            for (var j = 0; j < batch.Count; j++)
            {
                states[batch[j]] = tokens[j]!;
            }

            Console.Error.WriteLine($"encoded {Math.Min(k + 512, distinct.Count)}/{distinct.Count} headlines ({watch.Elapsed.TotalSeconds:F0} s)");
        }

        return states;
    }

    public static Command CreateTrainSentiment()
    {
        var data = new Option<string>("--data") { Description = "SEntFiN train.csv (id,headline,entities); its held-out split is never fitted on", Required = true, HelpName = "FILE" };
        var output = new Option<string?>("--out") { Description = "where to write the model (default: the committed " + SentimentPath + ")", HelpName = "FILE" };
        var cache = new Option<string?>("--cache") { Description = "file that keeps the headline model's predictions between runs (keyed by its version and the cross-fit), so headlines are embedded once", HelpName = "FILE" };
        var bits = CommandOptions.WholeNumber("--bits", "feature hash table size, log2", 16, 10, 22);
        var crossFit = CommandOptions.WholeNumber("--cross-fit", "train the entity model on out-of-fold headline predictions from this many headline models (0: the shipped model's, in-sample)", 0, 0, 20);
        var headlineData = new Option<string[]>("--headline-data")
        {
            Description = "with --cross-fit: the headline model's other training files (TFNS train.csv), fitted part only, in the order train was given them",
            HelpName = "FILE",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };
        var seed = CommandOptions.WholeNumber("--seed", "seed of the cross-fit headline models (the shipped model's is 42)", 42, 0, int.MaxValue);
        var command = new Command("entity-sentiment", "train the entity sentiment model: --data train.csv [--cross-fit K --headline-data tfns/train.csv] [--cache FILE] [--bits N] [--out FILE]")
        {
            data, output, cache, bits, crossFit, headlineData, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rows = SentfinCsv.Read(Existing(parse.GetValue(data)!));
            var folds = parse.GetValue(crossFit);
            var others = parse.GetValue(headlineData) ?? [];
            if (folds == 1)
            {
                throw new UsageException("--cross-fit needs at least 2 folds (or 0 for the shipped model's predictions).");
            }

            if (folds == 0 && others.Length > 0)
            {
                throw new UsageException("--headline-data is only read with --cross-fit K.");
            }

            // The headline model's other training files, checked before anything is embedded.
            var otherRows = new List<LabeledText>();
            foreach (var file in ModelCommands.Files(others))
            {
                if (file.IsEvaluationOnly())
                {
                    throw new UsageException($"{file.Path} is TFNS valid.csv, which is only for reporting: training never reads it.");
                }

                otherRows.AddRange(file.Read(DataSplit.Train).Sentences);
            }

            var model = SentimentModel.LoadEmbedded();
            var fitted = rows.Where(h => !HeldOutSplit.IsHeldOut(h.Id)).ToList();
            var heldOut = rows.Where(h => HeldOutSplit.IsHeldOut(h.Id)).ToList();
            // Held-out headlines always get the shipped model's predictions: that is what the analyser gives new text.
            var headline = HeadlinePredictions(heldOut, model, parse.GetValue(cache), cancellationToken);
            if (folds == 0)
            {
                foreach (var (id, p) in HeadlinePredictions(fitted, model, parse.GetValue(cache), cancellationToken))
                {
                    headline[id] = p;
                }
            }
            else
            {
                var options = new SentimentTrainingOptions { Seed = parse.GetValue(seed) };
                var key = string.Create(CultureInfo.InvariantCulture, $"crossfit{folds}-seed{options.Seed}-{otherRows.Count}");
                if (ReadCache(parse.GetValue(cache), model, key) is { } cached && fitted.All(h => cached.ContainsKey(h.Id)))
                {
                    Console.WriteLine($"cross-fit predictions of {fitted.Count} headlines read from the cache");
                }
                else
                {
                    using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8);
                    cached = await CrossFitHeadlines.PredictAsync(fitted, otherRows, folds, options, embedder, Console.Out, cancellationToken);
                    WriteCache(parse.GetValue(cache), model, key, cached);
                }

                foreach (var h in fitted)
                {
                    headline[h.Id] = cached[h.Id];
                }

                var single = fitted.Where(h => h.SharedLabel is not null).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"out-of-fold headline accuracy on {single.Count} fitted single-label headlines: {single.Count(h => headline[h.Id].Label == h.SharedLabel) / (double)single.Count:F4}"));
            }

            var shape = new EntitySentimentModel(parse.GetValue(bits));
            var fit = EntitySentimentTraining.Rows(fitted, h => headline[h.Id], shape);
            var held = EntitySentimentTraining.Rows(heldOut, h => headline[h.Id], shape);
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
            return 0;
        });
        return command;
    }

    private static string? CachePath(string? cache, SentimentModel model, string key) => cache is null ? null : cache + "." + model.Version + "." + key;

    private static Dictionary<string, SentimentPrediction>? ReadCache(string? cache, SentimentModel model, string key)
    {
        var path = CachePath(cache, model, key);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var predictions = new Dictionary<string, SentimentPrediction>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split('\t');
            predictions[f[0]] = new SentimentPrediction(Enum.Parse<SentimentLabel>(f[1]), double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
        }

        return predictions;
    }

    private static void WriteCache(string? cache, SentimentModel model, string key, Dictionary<string, SentimentPrediction> predictions)
    {
        if (CachePath(cache, model, key) is { } path)
        {
            File.WriteAllLines(path, predictions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}\t{p.Value.Label}\t{p.Value.Score:R}\t{p.Value.Confidence:R}")));
        }
    }

    private static Dictionary<string, SentimentPrediction> HeadlinePredictions(IReadOnlyList<SentfinHeadline> rows, SentimentModel model, string? cache, CancellationToken cancellationToken)
    {
        var cached = ReadCache(cache, model, "shipped") ?? new Dictionary<string, SentimentPrediction>(StringComparer.Ordinal);
        if (rows.All(h => cached.ContainsKey(h.Id)))
        {
            return rows.ToDictionary(h => h.Id, h => cached[h.Id], StringComparer.Ordinal);
        }

        using var embedder = new MiniLmEmbedder(EmbeddingPrecision.Int8);
        var missing = rows.Where(h => !cached.ContainsKey(h.Id)).ToList();
        for (var k = 0; k < missing.Count; k += 64)
        {
            var batch = missing.Skip(k).Take(64).ToList();
            var texts = batch.Select(h => h.Text).ToList();
            var p = model.Predict(texts, embedder.Embed(texts, cancellationToken));
            for (var j = 0; j < batch.Count; j++)
            {
                cached[batch[j].Id] = p[j];
            }

            Console.Error.WriteLine($"headline model {Math.Min(k + 64, missing.Count)}/{missing.Count}");
        }

        WriteCache(cache, model, "shipped", cached);
        return rows.ToDictionary(h => h.Id, h => cached[h.Id], StringComparer.Ordinal);
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
            if (rows.Count == 0)
            {
                throw new UsageException($"{parse.GetValue(data)} has no headlines in the {parse.GetValue(split)} split (a small file may have none held out: try --split all).");
            }

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
            // Recognition and the entity sentiment model (the headline's prediction is an input, so a fixed one stands in).
            var entitySentiment = EntitySentimentModel.Shared;
            var standIn = new SentimentPrediction(SentimentLabel.Neutral, 0, 0.5);
            // The token states come from the analysis pass in the service; here they are computed again, outside the timing.
            var states = model?.Context is null ? null : embedder.EmbedWithTokens(rows.Select(h => h.Text).ToList(), cancellationToken).Tokens;
            watch.Restart();
            for (var r = 0; r < rows.Count; r++)
            {
                var h = rows[r];
                var found = extractor.Extract(h.Text, states?[r]);
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
