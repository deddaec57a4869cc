using System.CommandLine;
using System.Globalization;

namespace MarketPulse.Cli;

/// <summary>Option shapes the commands share.</summary>
public static class CommandOptions
{
    /// <summary>A whole number with a default and a range; a value outside it is a usage error that names both.</summary>
    public static Option<int> WholeNumber(string name, string description, int fallback, int min, int max) => new(name)
    {
        Description = $"{description} ({min:D} to {max:D})",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return fallback;
            }

            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            {
                return n;
            }

            result.AddError($"{name} takes a whole number from {min} to {max}, not '{text}'.");
            return fallback;
        },
    };
}
