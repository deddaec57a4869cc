using MarketPulse.Storage;
using StackExchange.Redis;

namespace MarketPulse.Hosting;

/// <summary>Redis settings (section <c>Redis</c>).</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=...</c>.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key MarketPulse writes, so several deployments can share a server.</summary>
    public string KeyPrefix { get; set; } = "mp";

    public ConfigurationOptions Parse()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new StartupException("Redis:Configuration", "Redis: no server is configured (environment variable Redis__Configuration, e.g. 127.0.0.1:6379).");
        }

        try
        {
            var options = ConfigurationOptions.Parse(Configuration);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
            options.ClientName ??= "marketpulse";
            return options;
        }
        catch (ArgumentException e)
        {
            throw new StartupException("Redis:Configuration", $"Redis: the configuration string is not valid: {e.Message}");
        }
    }
}
