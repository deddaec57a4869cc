using MarketPulse.Analysis;
using MarketPulse.Tools.Training;

namespace MarketPulse.Tools.Tests.Training;

public sealed class TrainingFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("marketpulse-training-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_form_is_read_from_the_header_or_named_after_a_colon()
    {
        var tfns = Write("tweets.csv", "text,label\nStocks up,1\n");
        var sentfin = Write("news.csv", "id,headline,entities\n1,Nifty up,\"{\"\"Nifty\"\": \"\"positive\"\"}\"\n");

        Assert.Equal(DataForm.Tfns, TrainingFile.Parse(tfns).Form);
        Assert.Equal(DataForm.Sentfin, TrainingFile.Parse(sentfin).Form);
        Assert.Equal(new TrainingFile(sentfin, DataForm.Sentfin), TrainingFile.Parse(sentfin + ":SENTFIN"));
        Assert.Contains(":tfns", Assert.Throws<FormatException>(() => TrainingFile.Parse(Write("other.csv", "a,b\n1,2\n"))).Message, StringComparison.Ordinal);
        Assert.Equal($"no file at {tfns}x.", Assert.Throws<FormatException>(() => TrainingFile.Parse(tfns + "x:tfns")).Message);
    }

    [Fact]
    public void The_held_out_split_is_deterministic_disjoint_and_about_a_tenth()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => $"Headline number {i} about stock {i % 97},{i % 3}");
        var file = TrainingFile.Parse(Write("many.csv", "text,label\n" + string.Join('\n', lines) + "\n"));

        var all = file.Read(DataSplit.All).Sentences.Select(s => s.Text).ToList();
        var train = file.Read(DataSplit.Train).Sentences.Select(s => s.Text).ToList();
        var heldOut = file.Read(DataSplit.HeldOut).Sentences.Select(s => s.Text).ToList();

        Assert.Empty(train.Intersect(heldOut));
        Assert.Equal(all.Order(StringComparer.Ordinal), train.Concat(heldOut).Order(StringComparer.Ordinal));
        Assert.InRange(heldOut.Count, 240, 360);
        Assert.Equal(heldOut, file.Read(DataSplit.HeldOut).Sentences.Select(s => s.Text));
        Assert.All(heldOut, text => Assert.True(HeldOutSplit.IsHeldOut(text)));
    }

    [Fact]
    public void A_sentfin_row_stays_on_its_side_of_the_split_whatever_the_file_order()
    {
        var rows = Enumerable.Range(0, 400).Select(i => $"{i},Headline {i},\"{{\"\"X{i}\"\": \"\"neutral\"\"}}\"").ToList();
        var forward = TrainingFile.Parse(Write("forward.csv", "id,headline,entities\n" + string.Join('\n', rows)));
        rows.Reverse();
        var backward = TrainingFile.Parse(Write("backward.csv", "id,headline,entities\n" + string.Join('\n', rows)));

        var heldOut = forward.Read(DataSplit.HeldOut).Headlines.Select(h => h.Id).ToHashSet();

        Assert.NotEmpty(heldOut);
        Assert.True(heldOut.SetEquals(backward.Read(DataSplit.HeldOut).Headlines.Select(h => h.Id)));
    }

    [Fact]
    public void Sentfin_sentences_are_the_headlines_whose_entities_share_one_label()
    {
        var file = TrainingFile.Parse(Write("mixed.csv", """
            id,headline,entities
            1,Nifty and Sensex rally,"{""Nifty"": ""positive"", ""Sensex"": ""positive""}"
            2,Gold up; rupee down,"{""Gold"": ""positive"", ""rupee"": ""negative""}"
            """));

        var data = file.Read(DataSplit.All);

        Assert.Equal(2, data.Headlines.Count);
        Assert.Equal([new LabeledText("Nifty and Sensex rally", SentimentLabel.Bullish, 2)], data.Sentences);
    }

    [Fact]
    public void Tfns_valid_csv_is_evaluation_only_by_name_and_by_content()
    {
        var train = Path.Combine(TestRoot(), "..", "shared", "data", "tfns", "train.csv");
        var valid = Path.Combine(TestRoot(), "..", "shared", "data", "tfns", "valid.csv");
        Assert.True(new TrainingFile(Write("valid.csv", "text,label\nx,1\n"), DataForm.Tfns).IsEvaluationOnly());
        Assert.False(new TrainingFile(Write("train.csv", "text,label\nx,1\n"), DataForm.Tfns).IsEvaluationOnly());
        if (File.Exists(valid))
        {
            var renamed = Path.Combine(_folder, "renamed.csv");
            File.Copy(valid, renamed);
            Assert.True(new TrainingFile(renamed, DataForm.Tfns).IsEvaluationOnly());
            Assert.False(new TrainingFile(train, DataForm.Tfns).IsEvaluationOnly());
        }
    }

    private static string TestRoot() => MarketPulse.Testing.TestStack.RepositoryRoot;

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
