namespace MarketPulse.Tools.Training;

/// <summary>Which rows of a file to use, by <see cref="HeldOutSplit"/>.</summary>
public enum DataSplit
{
    /// <summary>Every row.</summary>
    All,

    /// <summary>The rows training may fit on (all but the held-out part).</summary>
    Train,

    /// <summary>The held-out part, never fitted on.</summary>
    HeldOut,
}
