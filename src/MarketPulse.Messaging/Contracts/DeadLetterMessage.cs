using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace MarketPulse.Messaging.Contracts;

/// <summary>
/// A message set aside, on <c>dead_letter_topic</c>: the original key and value unchanged, and why and where from in
/// <c>mp-*</c> headers, so the original can be replayed as it was.
/// </summary>
public sealed record DeadLetterMessage(string Key, byte[] Value, string Error, string SourceTopic, int Partition, long Offset, int Attempts) : IMessageContract
{
    public const string ErrorHeader = "mp-error";
    public const string SourceTopicHeader = "mp-source-topic";
    public const string PartitionHeader = "mp-partition";
    public const string OffsetHeader = "mp-offset";
    public const string AttemptsHeader = "mp-attempts";

    public static string MessageType => "dead_letter";

    public static int MessageVersion => 1;

    public static DeadLetterMessage Of(ConsumeResult<string, byte[]> source, string error, int attempts) =>
        new(source.Message.Key ?? "", source.Message.Value ?? [], error, source.Topic, source.Partition.Value, source.Offset.Value, attempts);

    public Headers ToHeaders() => MessageHeaders.Stamp<DeadLetterMessage>(new Headers
    {
        { ErrorHeader, Encoding.UTF8.GetBytes(Error) },
        { SourceTopicHeader, Encoding.UTF8.GetBytes(SourceTopic) },
        { PartitionHeader, Encoding.UTF8.GetBytes(Partition.ToString(CultureInfo.InvariantCulture)) },
        { OffsetHeader, Encoding.UTF8.GetBytes(Offset.ToString(CultureInfo.InvariantCulture)) },
        { AttemptsHeader, Encoding.UTF8.GetBytes(Attempts.ToString(CultureInfo.InvariantCulture)) },
    });

    /// <summary>Reads a message from the dead-letter topic.</summary>
    public static DeadLetterMessage Read(Message<string, byte[]> message)
    {
        string Header(string name) => message.Headers?.TryGetLastBytes(name, out var value) == true ? Encoding.UTF8.GetString(value) : "";
        static T Number<T>(string text) where T : struct, IParsable<T> => T.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : default;
        return new(message.Key ?? "", message.Value ?? [], Header(ErrorHeader), Header(SourceTopicHeader),
            Number<int>(Header(PartitionHeader)), Number<long>(Header(OffsetHeader)), Number<int>(Header(AttemptsHeader)));
    }
}
