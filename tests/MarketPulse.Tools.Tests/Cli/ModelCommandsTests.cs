using System.CommandLine;
using MarketPulse.Analysis.Embeddings;
using MarketPulse.Cli;
using MarketPulse.Tools.Cli;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Cli;

/// <summary>The train and eval commands' options, and what train refuses before it reads any data.</summary>
public sealed class ModelCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("marketpulse-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_takes_several_files_and_a_precision_eval_a_split()
    {
        var train = ToolsCommandLine.Build([]).Parse(["train", "--data", "a.csv", "b.csv:sentfin", "--precision", "float32"]);
        var eval = ToolsCommandLine.Build([]).Parse(["eval", "--data", "b.csv", "--split", "heldout"]);

        Assert.Empty(train.Errors);
        Assert.Equal(["a.csv", "b.csv:sentfin"], train.GetValue<string[]>("--data")!);
        Assert.Equal(EmbeddingPrecision.Float32, train.GetValue<EmbeddingPrecision>("--precision"));
        Assert.Empty(eval.Errors);
        Assert.Equal(DataSplit.HeldOut, eval.GetValue<DataSplit>("--split"));
        Assert.Equal(EmbeddingPrecision.Int8, eval.GetValue<EmbeddingPrecision>("--precision"));
    }

    [Fact]
    public async Task Train_refuses_tfns_valid_csv_and_writes_nothing()
    {
        var train = Path.Combine(_folder, "train.csv");
        var valid = Path.Combine(_folder, "valid.csv");
        File.WriteAllText(train, "text,label\nStocks rally,1\n");
        File.WriteAllText(valid, "text,label\nStocks fall,0\n");
        var output = Path.Combine(_folder, "model.bin");

        var error = await RefusedAsync(["train", "--data", train, valid, "--out", output]);

        Assert.Contains("valid.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("train never reads it", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("--cross-fit 1", "at least 2 folds")]
    [InlineData("--headline-data {tfns}", "only read with --cross-fit")]
    [InlineData("--cross-fit 5 --headline-data {valid}", "training never reads it")]
    public async Task Train_entity_sentiment_refuses_a_bad_cross_fit_before_it_embeds_anything(string arguments, string message)
    {
        var sentfin = Path.Combine(_folder, "sentfin.csv");
        var tfns = Path.Combine(_folder, "train.csv");
        var valid = Path.Combine(_folder, "valid.csv");
        File.WriteAllText(sentfin, "id,headline,entities\n1,Sensex falls,\"{\"\"Sensex\"\": \"\"negative\"\"}\"\n");
        File.WriteAllText(tfns, "text,label\nStocks rally,1\n");
        File.WriteAllText(valid, "text,label\nStocks fall,0\n");
        var output = Path.Combine(_folder, "entity-sentiment.bin");
        string[] head = ["train", "entity-sentiment", "--data", sentfin, "--out", output];
        var tail = arguments.Replace("{tfns}", tfns, StringComparison.Ordinal).Replace("{valid}", valid, StringComparison.Ordinal).Split(' ');

        var error = await RefusedAsync([.. head, .. tail]);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("--casing-corpus {valid}", "training never reads it")]
    [InlineData("--casing-corpus {sentfin}", "counted already")]
    [InlineData("--folds 1", "at least 2 folds")]
    public async Task Train_entities_refuses_a_bad_casing_corpus_or_fold_count_and_writes_nothing(string arguments, string message)
    {
        var sentfin = Path.Combine(_folder, "sentfin.csv");
        var valid = Path.Combine(_folder, "valid.csv");
        File.WriteAllText(sentfin, "id,headline,entities\n1,Sensex falls,\"{\"\"Sensex\"\": \"\"negative\"\"}\"\n");
        File.WriteAllText(valid, "text,label\nStocks fall,0\n");
        var output = Path.Combine(_folder, "entity-tagger.bin");
        string[] head = ["train", "entities", "--data", sentfin, "--out", output];
        var tail = arguments.Replace("{sentfin}", sentfin, StringComparison.Ordinal).Replace("{valid}", valid, StringComparison.Ordinal).Split(' ');

        var error = await RefusedAsync([.. head, .. tail]);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Train_entities_with_token_vectors_writes_a_tagger_that_reads_them()
    {
        var sentfin = Path.Combine(_folder, "sentfin.csv");
        string[] names = ["Infosys", "Wipro", "Sebi", "Tata Motors", "Karvy", "Shalimar Paints", "Yes Bank", "Suzlon"];
        string[] verbs = ["rises", "falls", "slumps", "gains", "jumps", "slips"];
        var rows = Enumerable.Range(0, 60).Select(i => (Name: names[i % names.Length], Verb: verbs[i % verbs.Length], Id: i + 1))
            .Select(r => $"{r.Id},{r.Name} shares {r.Verb} after results,\"{{\"\"{r.Name}\"\": \"\"neutral\"\"}}\"");
        File.WriteAllLines(sentfin, ["id,headline,entities", .. rows]);
        var output = Path.Combine(_folder, "entity-tagger.bin");

        var code = await ToolsCommandLine.Build([]).Parse(["train", "entities", "--data", sentfin, "--token-vectors", "--epochs", "2", "--out", output])
            .InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });

        Assert.Equal(0, code);
        using var file = File.OpenRead(output);
        var tagger = MarketPulse.Analysis.Entities.EntityTagger.Load(file);
        Assert.NotNull(tagger.Context);
        Assert.Equal(3 * 3 * 384, tagger.Context.Weights.Length);
        Assert.Contains(tagger.Context.Weights, w => w != 0);
    }

    [Fact]
    public async Task Eval_entities_says_when_the_split_has_no_headlines()
    {
        var sentfin = Path.Combine(_folder, "probe.csv");
        File.WriteAllText(sentfin, "id,headline,entities\n1,Sensex falls,\"{\"\"Sensex\"\": \"\"negative\"\"}\"\n");

        var error = await RefusedAsync(["eval", "entities", "--data", sentfin, "--split", "heldout"]);

        Assert.Contains("--split all", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the command line and returns the usage error it must end with.</summary>
    private static Task<UsageException> RefusedAsync(string[] arguments)
    {
        var parse = ToolsCommandLine.Build([]).Parse(arguments);
        return Assert.ThrowsAsync<UsageException>(() => parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
