namespace MarketPulse.Tools.Training;

/// <summary>The layout of a labelled data file.</summary>
public enum DataForm
{
    /// <summary>TFNS: <c>text,label</c>, labels 0 bearish, 1 bullish, 2 neutral.</summary>
    Tfns,

    /// <summary>SEntFiN 1.0: <c>id,headline,entities</c>, entities a JSON object entity -> positive|negative|neutral.</summary>
    Sentfin,
}
