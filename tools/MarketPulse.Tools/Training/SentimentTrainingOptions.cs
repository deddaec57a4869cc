namespace MarketPulse.Tools.Training;

/// <summary>Hyper-parameters of <see cref="SentimentTraining"/>. The defaults are the ones the shipped model was trained with.</summary>
public sealed record SentimentTrainingOptions
{
    /// <summary>Seed of the split, the shuffles and the initial weights.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Share of train.csv held out (stratified) to pick the network's epochs, the ensemble share and the temperature.</summary>
    public double HoldoutFraction { get; init; } = 0.15;

    /// <summary>After tuning on the split, train both parts again on all rows with the chosen settings.</summary>
    public bool RefitOnAllRows { get; init; } = true;

    /// <summary>log2 of the number of hash buckets shared by word and character n-grams.</summary>
    public int HashBits { get; init; } = 18;

    /// <summary>Longest word n-gram.</summary>
    public int MaxWordNgram { get; init; } = 2;

    /// <summary>Shortest character n-gram.</summary>
    public int MinCharNgram { get; init; } = 2;

    /// <summary>Longest character n-gram.</summary>
    public int MaxCharNgram { get; init; } = 5;

    /// <summary>Weight of the L2-normalised word n-gram block.</summary>
    public float WordWeight { get; init; } = 1f;

    /// <summary>Weight of the L2-normalised character n-gram block.</summary>
    public float CharWeight { get; init; } = 1f;

    /// <summary>Multiplier of the finance-lexicon features.</summary>
    public float LexiconWeight { get; init; } = 1f;

    /// <summary>Multiplier of the (unit-length) embedding in the dense features.</summary>
    public float EmbeddingScale { get; init; } = 3f;

    /// <summary>L2 penalty of the linear model (per example, as in loss = mean cross-entropy + l2/2 |w|^2).</summary>
    public double LinearL2 { get; init; } = 1e-5;

    /// <summary>Exponent of the naive-Bayes log-count-ratio scaling of n-gram weights; 0 turns it off.</summary>
    public double NaiveBayesPower { get; init; } = 1;

    /// <summary>L-BFGS iterations of the linear model.</summary>
    public int LinearIterations { get; init; } = 150;

    /// <summary>Hidden units of the network over the dense features; 0 leaves the linear model alone.</summary>
    public int HiddenUnits { get; init; } = 256;

    /// <summary>Most epochs of the network; the best epoch on the held-out split is kept.</summary>
    public int MaxEpochs { get; init; } = 12;

    /// <summary>Adam learning rate of the network.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay of the network.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Minibatch size of the network.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Dropout on the network's inputs while training.</summary>
    public double InputDropout { get; init; } = 0.2;

    /// <summary>Fixed share of the linear model in the averaged logits; null fits it on the held-out split.</summary>
    public double? LinearShare { get; init; }
}
