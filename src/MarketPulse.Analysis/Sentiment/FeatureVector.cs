namespace MarketPulse.Analysis.Sentiment;

/// <summary>One text as the classifier sees it: weighted hashed n-grams and a dense part (embedding ++ lexicon).</summary>
internal readonly record struct FeatureVector(SparseVector Sparse, float[] Dense);

/// <summary>Raw counts of one text before inverse-document-frequency weighting.</summary>
internal readonly record struct RawFeatures(Dictionary<int, float> Words, Dictionary<int, float> Chars, float[] Lexicon);

internal static class FeatureVectors
{
    public static RawFeatures Extract(string text, FeatureSettings settings)
    {
        var (words, chars, dense) = TextFeaturizer.Extract(text, settings);
        return new RawFeatures(words, chars, dense);
    }

    /// <summary>Smoothed inverse document frequency per bucket, as in scikit-learn: ln((1+n)/(1+df)) + 1.</summary>
    public static float[] InverseDocumentFrequency(IReadOnlyList<RawFeatures> raw, int buckets)
    {
        var df = new int[buckets];
        foreach (var r in raw)
        {
            foreach (var k in r.Words.Keys)
            {
                df[k]++;
            }

            foreach (var k in r.Chars.Keys)
            {
                df[k]++;
            }
        }

        var idf = new float[buckets];
        for (var i = 0; i < buckets; i++)
        {
            idf[i] = (float)(Math.Log((1.0 + raw.Count) / (1.0 + df[i])) + 1.0);
        }

        return idf;
    }

    public static FeatureVector Build(RawFeatures raw, float[] embedding, FeatureSettings settings, float[] idf, float embeddingScale)
    {
        var merged = new SortedDictionary<int, float>();
        AddBlock(merged, raw.Words, idf, settings.WordWeight);
        AddBlock(merged, raw.Chars, idf, settings.CharWeight);
        var indices = new int[merged.Count];
        var values = new float[merged.Count];
        var j = 0;
        foreach (var (k, v) in merged)
        {
            indices[j] = k;
            values[j] = v;
            j++;
        }

        var dense = new float[embedding.Length + raw.Lexicon.Length];
        for (var i = 0; i < embedding.Length; i++)
        {
            dense[i] = embedding[i] * embeddingScale;
        }

        for (var i = 0; i < raw.Lexicon.Length; i++)
        {
            dense[embedding.Length + i] = raw.Lexicon[i] * settings.LexiconWeight;
        }

        return new FeatureVector(new SparseVector(indices, values), dense);
    }

    // Sublinear tf-idf, L2-normalised within the block, then scaled by the block weight.
    private static void AddBlock(SortedDictionary<int, float> merged, Dictionary<int, float> counts, float[] idf, float weight)
    {
        if (counts.Count == 0 || weight == 0)
        {
            return;
        }

        var keys = counts.Keys.ToArray();
        Array.Sort(keys);
        var values = new float[keys.Length];
        double norm = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = (1 + MathF.Log(counts[keys[i]])) * idf[keys[i]];
            norm += values[i] * values[i];
        }

        var scale = (float)(weight / Math.Sqrt(norm));
        for (var i = 0; i < keys.Length; i++)
        {
            merged[keys[i]] = merged.TryGetValue(keys[i], out var v) ? v + (values[i] * scale) : values[i] * scale;
        }
    }
}
