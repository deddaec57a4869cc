using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MarketPulse.Storage.Logging;

/// <summary>
/// What makes two error entries "the same error" in <c>error_summary</c>: the message template when the entry
/// was logged with one (every <c>[LoggerMessage]</c> is), else the message with its variable parts
/// (numbers, ids, quoted values, addresses) replaced; and a category from the exception and the logger.
/// </summary>
public static partial class ErrorFingerprint
{
    /// <summary>16 hex characters of SHA-256 over the normalised text.</summary>
    public static string Of(string? template, string message)
    {
        var text = string.IsNullOrEmpty(template) ? Normalise(message) : template;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    public static string Normalise(string message)
    {
        var text = Guids().Replace(message, "<id>");
        text = Quoted().Replace(text, "<value>");
        text = Hex().Replace(text, "<hex>");
        text = Numbers().Replace(text, "<n>");
        return text;
    }

    /// <summary>database, redis, kafka, http, timeout, data or application.</summary>
    public static string Category(string? exceptionType, string logger)
    {
        var type = exceptionType ?? string.Empty;
        if (type.Contains("Npgsql", StringComparison.Ordinal) || type.Contains("Postgres", StringComparison.Ordinal))
        {
            return "database";
        }

        if (type.Contains("Redis", StringComparison.Ordinal))
        {
            return "redis";
        }

        if (type.Contains("Kafka", StringComparison.Ordinal) || logger.Contains("Kafka", StringComparison.Ordinal))
        {
            return "kafka";
        }

        if (type.Contains("Timeout", StringComparison.Ordinal) || type.EndsWith("TaskCanceledException", StringComparison.Ordinal)
            || type.Contains("BrokenCircuit", StringComparison.Ordinal))
        {
            return "timeout";
        }

        if (type.Contains("Http", StringComparison.Ordinal) || type.Contains("Socket", StringComparison.Ordinal))
        {
            return "http";
        }

        if (type.Contains("Json", StringComparison.Ordinal) || type.Contains("Format", StringComparison.Ordinal)
            || type.Contains("InvalidData", StringComparison.Ordinal))
        {
            return "data";
        }

        return "application";
    }

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guids();

    [GeneratedRegex("""(["'])(?:(?!\1).){0,200}\1""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]{16,}\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\d+(?:[.,:]\d+)*")]
    private static partial Regex Numbers();
}
