namespace MarketPulse.Tools.Training;

/// <summary>The rows of one file: sentence-level examples and, for SEntFiN, every headline with its entity labels.</summary>
/// <param name="File">Where they came from.</param>
/// <param name="Sentences">Texts with one label: every TFNS row; the SEntFiN headlines whose entities all share one label.</param>
/// <param name="Headlines">SEntFiN headlines, multi-label ones included; empty for TFNS.</param>
public sealed record LabeledData(TrainingFile File, IReadOnlyList<LabeledText> Sentences, IReadOnlyList<SentfinHeadline> Headlines);
