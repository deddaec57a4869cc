using MarketPulse.Analysis.Entities;

namespace MarketPulse.Analysis.Tests.Entities;

/// <summary>The tagger's Viterbi decoding against brute force over every tag sequence, on random weights.</summary>
public sealed class TaggerDecodingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Decode_finds_the_best_valid_sequence_and_its_max_marginals(int seed)
    {
        var random = new Random(seed);
        var tagger = new EntityTagger(bits: 6);
        for (var i = 0; i < tagger.Weights.Length; i++)
        {
            tagger.Weights[i] = (float)(random.NextDouble() * 4 - 2);
        }

        var n = 1 + random.Next(6);
        var lattice = new TaggerLattice(
            [.. Enumerable.Range(0, n).Select(_ => Ids(random))],
            [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, EntityTagger.Tags + 1).Select(_ => Ids(random)).ToArray())]);

        var (tags, margins) = tagger.Decode(lattice);

        var all = Sequences(n).Where(Valid).Select(s => (Tags: s, Score: Total(tagger, lattice, s))).ToList();
        var best = all.MaxBy(s => s.Score);
        Assert.Equal(best.Tags, tags);
        for (var i = 0; i < n; i++)
        {
            var other = all.Where(s => s.Tags[i] != tags[i]).Select(s => s.Score).DefaultIfEmpty(double.NegativeInfinity).Max();
            Assert.Equal(best.Score - other, margins[i], 3);
        }
    }

    [Fact]
    public void An_inside_tag_never_follows_outside_or_the_start()
    {
        var tagger = new EntityTagger(bits: 6);
        // Every token's strongest tag on its own is Inside; decoding must still open each mention with Begin.
        for (var f = 0; f < 64; f++)
        {
            tagger.Weights[f * EntityTagger.Tags + EntityTagger.Inside] = 5;
        }

        var lattice = new TaggerLattice([[1], [2], [3]], [.. Enumerable.Range(0, 3).Select(_ => new[] { new[] { 4 }, [5], [6], [7] })]);

        var (tags, _) = tagger.Decode(lattice);

        Assert.True(Valid(tags), string.Join(",", tags));
        Assert.Equal(EntityTagger.Begin, tags[0]);
    }

    private static int[] Ids(Random random) => [.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(64))];

    private static bool Valid(int[] tags) => !tags.Where((t, i) => t == EntityTagger.Inside && (i == 0 || tags[i - 1] == EntityTagger.Outside)).Any();

    private static IEnumerable<int[]> Sequences(int n)
    {
        var count = (int)Math.Pow(EntityTagger.Tags, n);
        for (var k = 0; k < count; k++)
        {
            var s = new int[n];
            for (int i = 0, v = k; i < n; i++, v /= EntityTagger.Tags)
            {
                s[i] = v % EntityTagger.Tags;
            }

            yield return s;
        }
    }

    private static double Total(EntityTagger tagger, TaggerLattice lattice, int[] tags)
    {
        var own = new float[EntityTagger.Tags];
        var pair = new float[EntityTagger.Tags];
        var total = 0.0;
        for (var i = 0; i < tags.Length; i++)
        {
            tagger.Score(lattice.Own[i], own);
            tagger.Score(lattice.Transition[i][i == 0 ? 0 : tags[i - 1] + 1], pair);
            total += own[tags[i]] + pair[tags[i]];
        }

        return total;
    }
}
