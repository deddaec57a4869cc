namespace MarketPulse.Webhooks;

/// <summary>
/// The whole payload is unusable: not this source's shape, an empty batch or a batch over the limit.
/// Maps to HTTP 422 with one error of <see cref="Field"/>, <see cref="Rule"/> and the message.
/// </summary>
public sealed class PayloadShapeException : Exception
{
    public PayloadShapeException(string field, string message)
        : this(field, "shape", message)
    {
    }

    public PayloadShapeException(string field, string rule, string message)
        : base(message)
    {
        Field = field;
        Rule = rule;
    }

    public PayloadShapeException()
        : this("root", "shape", "The payload is not of this source's shape.")
    {
    }

    public PayloadShapeException(string message)
        : this("root", "shape", message)
    {
    }

    public PayloadShapeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "root";
        Rule = "shape";
    }

    /// <summary>JSON-path-like location of the problem ("root" for the document itself).</summary>
    public string Field { get; }

    /// <summary>"shape", "empty_batch" or "batch_too_large".</summary>
    public string Rule { get; }
}
