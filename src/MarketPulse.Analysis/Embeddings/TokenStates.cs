namespace MarketPulse.Analysis.Embeddings;

/// <summary>
/// A text's word pieces as the encoder read them (<c>[CLS]</c>, the pieces with <c>##</c> marking a continuation,
/// <c>[SEP]</c>) and the encoder's output for each: <see cref="States"/> is [pieces, 384] row-major.
/// </summary>
public sealed record TokenStates(string[] Pieces, float[] States)
{
    public int Dimensions => Pieces.Length == 0 ? 0 : States.Length / Pieces.Length;
}
