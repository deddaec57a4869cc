using MarketPulse.Analysis.Entities;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>The tagger's word casing table: what it counts, what it leaves out, and that it survives the model file.</summary>
public sealed class WordCasingTests
{
    [Fact]
    public void Counts_words_inside_sentences_by_case()
    {
        var casing = new WordCasing();
        casing.Add("Analysts expect smart gains as Fitch upgrades the bank");
        casing.Add("Traders see smart buying after Fitch comment");

        Assert.Equal("low", casing.Bucket("Smart"));
        Assert.Equal("cap", casing.Bucket("fitch"));
        Assert.Equal("low1", casing.Bucket("Bank"));
        Assert.Equal("new", casing.Bucket("Aircel"));
    }

    [Fact]
    public void Leaves_out_first_words_acronyms_and_title_case_texts()
    {
        var casing = new WordCasing();
        casing.Add("Bets on crude surge ahead of OPEC meet");
        casing.Add("Karur Vysya Bank Posts Record Quarterly Profit");
        casing.Add("Markets fall. Bets rise on a cut");

        Assert.Equal("new", casing.Bucket("Karur"));
        Assert.Equal("new", casing.Bucket("opec"));
        Assert.Equal("low1", casing.Bucket("crude"));
        // "Bets" after a full stop starts a sentence: not counted.
        Assert.Equal("new", casing.Bucket("bets"));
    }

    [Fact]
    public void Taking_a_text_away_restores_the_counts_before_it()
    {
        var casing = new WordCasing();
        casing.Add("Investors favour Infosys over peers");
        casing.Add("Brokers like infosys and Wipro");
        var before = casing.Bucket("infosys");

        casing.Add("Funds trim Infosys again");
        Assert.NotEqual(before, casing.Bucket("infosys"));
        casing.Add("Funds trim Infosys again", -1);

        Assert.Equal(before, casing.Bucket("infosys"));
        Assert.Equal("new", casing.Bucket("trim"));
        Assert.Throws<ArgumentOutOfRangeException>(() => casing.Add("x y", 2));
    }

    [Fact]
    public void The_table_is_saved_with_the_tagger_and_read_back()
    {
        var casing = new WordCasing();
        casing.Add("Analysts expect smart gains as Fitch upgrades the bank");
        var tagger = new EntityTagger(bits: 8) { Casing = casing };
        tagger.Weights[5] = 1.5f;
        using var file = new MemoryStream();

        tagger.Save(file);
        file.Position = 0;
        var read = EntityTagger.Load(file);

        Assert.NotNull(read.Casing);
        Assert.Equal(casing.Count, read.Casing.Count);
        Assert.Equal("cap1", read.Casing.Bucket("Fitch"));
        Assert.Equal(1.5f, read.Weights[5]);
    }

    [Fact]
    public void The_shipped_tagger_reads_casing()
    {
        var shipped = EntityTagger.LoadEmbedded();

        Assert.NotNull(shipped);
        Assert.NotNull(shipped.Casing);
        Assert.True(shipped.Casing.Count > 10_000, $"{shipped.Casing.Count} words");
        Assert.StartsWith("low", shipped.Casing.Bucket("Shares"), StringComparison.Ordinal);
    }
}
