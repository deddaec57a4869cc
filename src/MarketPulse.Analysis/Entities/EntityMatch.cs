namespace MarketPulse.Analysis.Entities;

/// <summary>
/// An entity found in a text, with the character span of its first mention and the spans of every
/// mention, so clause-level sentiment can be attached to it.
/// </summary>
/// <param name="Entity">The entity; <see cref="Entity.Text"/> is the first mention as written, <see cref="Entity.Sentiment"/> is null.</param>
/// <param name="Start">Index of the first mention in the text.</param>
/// <param name="Length">Length of the first mention.</param>
/// <param name="Spans">Every mention of the same entity, in text order (the first one included).</param>
public sealed record EntityMatch(Entity Entity, int Start, int Length, IReadOnlyList<(int Start, int Length)> Spans);
