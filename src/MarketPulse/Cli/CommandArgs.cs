namespace MarketPulse.Cli;

/// <summary>
/// Minimal option parsing: <c>--name value</c> or <c>--name=value</c> for the command's own options;
/// anything with a ':' in its name (<c>--Kafka:BootstrapServers=...</c>) is left for configuration.
/// </summary>
public sealed class CommandArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public CommandArgs(string[] args, params string[] known)
    {
        var config = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'.");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            if (name.Contains(':', StringComparison.Ordinal))
            {
                config.Add(arg);
                if (eq < 0 && i + 1 < args.Length)
                {
                    config.Add(args[++i]);
                }

                continue;
            }

            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new UsageException($"unknown option '--{name}'. Options: {string.Join(", ", known.Select(k => "--" + k))}.");
            }

            if (eq > 0)
            {
                _options[name] = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _options[name] = args[++i];
            }
            else
            {
                _options[name] = "true";
            }
        }

        ConfigurationArgs = [.. config];
    }

    /// <summary>The <c>--Section:Key=value</c> arguments, for the configuration builder.</summary>
    public string[] ConfigurationArgs { get; }

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new UsageException($"--{name} is required.");

    public int GetInt(string name, int fallback, int min, int max)
    {
        var value = Get(name);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"--{name} takes a whole number from {min} to {max}, not '{value}'.");
    }

    public bool Has(string name) => _options.ContainsKey(name);
}
