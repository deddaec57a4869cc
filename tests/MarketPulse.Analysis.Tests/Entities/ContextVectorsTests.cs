using MarketPulse.Analysis.Embeddings;
using MarketPulse.Analysis.Entities;
using MarketPulse.Analysis.Tests.Sentiment;
using MarketPulse.Testing;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>The tagger's context vectors: which encoder rows each word gets, its inputs, and the model file.</summary>
[Collection(EmbedderCollection.Name)]
public sealed class ContextVectorsTests(EmbedderFixture embedder)
{
    [Fact]
    public void Each_word_gets_the_mean_of_the_pieces_that_start_in_it()
    {
        const string text = "Sebi’s order on Nestlé Q3";
        // As the tokenizer writes them: a continuation after "’", an accent it could not read, a word it did not know.
        string[] pieces = ["[CLS]", "se", "##bi", "##’", "##s", "order", "on", "nest", "##l", "[UNK]", "[UNK]", "[SEP]"];
        var states = new TokenStates(pieces, [.. Enumerable.Range(0, pieces.Length).SelectMany(k => new float[] { k, 10 * k })]);
        var tokens = EntityTagger.Tokenize(text);

        var vectors = ContextVectors.WordVectors(text, tokens, states);

        Assert.Equal(["Sebi", "’", "s", "order", "on", "Nestlé", "Q3"], tokens.Select(t => text.Substring(t.Start, t.Length)));
        Assert.Equal([1.5f, 15f], vectors[0]!); // se, ##bi
        Assert.Equal([3f, 30f], vectors[1]!);
        Assert.Equal([4f, 40f], vectors[2]!);
        Assert.Equal([5f, 50f], vectors[3]!);
        Assert.Equal([6f, 60f], vectors[4]!);
        Assert.Equal([8f, 80f], vectors[5]!); // nest, ##l, and the [UNK] of "é"
        Assert.Equal([10f, 100f], vectors[6]!);
    }

    [Fact]
    public void Every_word_of_a_headline_gets_a_row_of_the_pass_that_gives_its_vector()
    {
        string[] texts = ["Sensex tanks 800 points as FIIs sell", "Shalimar Paints shares surge 10% on fund raising plan; HDFC-Bank, Rs 1,200 cr"];

        var (vectors, tokens) = embedder.Embedder.EmbedWithTokens(texts);

        Assert.Equal(embedder.Embedder.Embed(texts), vectors);
        for (var i = 0; i < texts.Length; i++)
        {
            var states = Assert.IsType<TokenStates>(tokens[i]);
            Assert.Equal("[CLS]", states.Pieces[0]);
            Assert.Equal("[SEP]", states.Pieces[^1]);
            Assert.Equal(384, states.Dimensions);
            Assert.Equal(states.Pieces.Length * 384, states.States.Length);
            Assert.All(ContextVectors.WordVectors(texts[i], EntityTagger.Tokenize(texts[i]), states), Assert.NotNull);
        }
    }

    [Fact]
    public void A_text_longer_than_the_encoder_reads_keeps_rows_for_the_words_it_read_only()
    {
        var text = "Infosys beats estimates. " + string.Join(' ', Enumerable.Repeat("Markets edge higher as banks gain.", 400));

        var states = Assert.IsType<TokenStates>(embedder.Embedder.EmbedWithTokens([text]).Tokens[0]);
        var vectors = ContextVectors.WordVectors(text, EntityTagger.Tokenize(text), states);

        Assert.InRange(states.Pieces.Length, 16, 512);
        Assert.Equal(states.Pieces.Length * 384, states.States.Length);
        Assert.NotNull(vectors[0]);
        Assert.Null(vectors[^1]);
    }

    [Fact]
    public void Inputs_are_centred_unit_vectors_beside_their_neighbours()
    {
        var context = new ContextVectors([1f, 1f], window: 3);

        var inputs = context.InputsOf([[4f, 5f], null, [1f, 3f]]);

        Assert.Equal([0f, 0f, 0.6f, 0.8f, 0f, 0f], inputs[0]!);
        Assert.Null(inputs[1]);
        Assert.Equal([0f, 0f, 0f, 1f, 0f, 0f], inputs[2]!);
    }

    [Fact]
    public void The_built_in_tagger_reads_them_and_keeps_them_through_its_file()
    {
        var tagger = EntityTagger.LoadEmbedded()!;
        const string text = "Karvy Stock Broking shares slump after Sebi order";
        var tokens = EntityTagger.Tokenize(text);
        var states = embedder.Embedder.EmbedWithTokens([text]).Tokens[0];

        using var file = new MemoryStream();
        tagger.Save(file);
        file.Position = 0;
        var loaded = EntityTagger.Load(file);

        Assert.NotNull(tagger.Context);
        Assert.Equal(3, loaded.Context!.Window);
        Assert.Equal(tagger.Context.Weights, loaded.Context.Weights);
        Assert.Equal(tagger.Lattice(text, tokens, null, states).Dense, loaded.Lattice(text, tokens, null, states).Dense);
        Assert.All(tagger.Lattice(text, tokens, null, states).Dense!, Assert.NotNull);
        Assert.Null(tagger.Lattice(text, tokens, null).Dense);
    }
}
