namespace MarketPulse.Messaging.Contracts;

/// <summary>A message on a topic: its <c>type</c> and schema <c>version</c> travel as Kafka headers (see <see cref="MessageHeaders"/>).</summary>
public interface IMessageContract
{
    /// <summary>The value of the <c>type</c> header, e.g. <c>item</c>.</summary>
    static abstract string MessageType { get; }

    /// <summary>The value of the <c>version</c> header; raised when a field changes meaning or is removed.</summary>
    static abstract int MessageVersion { get; }
}
