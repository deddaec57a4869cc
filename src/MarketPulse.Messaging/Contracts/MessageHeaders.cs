using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace MarketPulse.Messaging.Contracts;

/// <summary>Stamps and reads the <c>type</c> and <c>version</c> headers that say which contract a message follows.</summary>
public static class MessageHeaders
{
    public const string Type = "type";

    public const string Version = "version";

    /// <summary>Adds the contract's type and version to <paramref name="headers"/> (new headers when null).</summary>
    public static Headers Stamp<T>(Headers? headers = null) where T : IMessageContract => Stamp(T.MessageType, T.MessageVersion, headers);

    /// <summary>Adds a type and version read back from storage (an outbox row) to <paramref name="headers"/>.</summary>
    public static Headers Stamp(string type, int version, Headers? headers = null)
    {
        headers ??= [];
        headers.Add(Type, Encoding.UTF8.GetBytes(type));
        headers.Add(Version, Encoding.UTF8.GetBytes(version.ToString(CultureInfo.InvariantCulture)));
        return headers;
    }

    /// <summary>The message's type and version, or nulls when it carries none (messages from before the headers).</summary>
    public static (string? Type, int? Version) Read(Headers? headers)
    {
        string? type = headers?.TryGetLastBytes(Type, out var t) == true ? Encoding.UTF8.GetString(t) : null;
        int? version = headers?.TryGetLastBytes(Version, out var v) == true
            && int.TryParse(Encoding.UTF8.GetString(v), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        return (type, version);
    }

    /// <summary>True when the headers name <typeparamref name="T"/>'s type, or name no type at all.</summary>
    public static bool IsOrUnmarked<T>(Headers? headers) where T : IMessageContract =>
        Read(headers).Type is not { } type || type == T.MessageType;
}
