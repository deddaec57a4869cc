using System.ComponentModel.DataAnnotations;
using MarketPulse.Storage;
using StackExchange.Redis;

namespace MarketPulse.Hosting;

/// <summary>Redis settings (section <c>Redis</c>).</summary>
public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "Redis";

    private const string NotConfigured = "no server is configured (environment variable Redis__Configuration, e.g. 127.0.0.1:6379).";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=...</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = NotConfigured)]
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key MarketPulse writes, so several deployments can share a server.</summary>
    [Required(AllowEmptyStrings = false)]
    [MaxLength(100)]
    public string KeyPrefix { get; set; } = "mp";

    public ConfigurationOptions Parse()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new StartupException("Redis:Configuration", "Redis: " + NotConfigured);
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Configuration))
        {
            string? error = null;
            try
            {
                ConfigurationOptions.Parse(Configuration);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }

            if (error is not null)
            {
                yield return new ValidationResult($"the configuration string is not valid: {error}", [nameof(Configuration)]);
            }
        }
    }
}
