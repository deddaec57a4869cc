using System.Text.RegularExpressions;
using MarketPulse.Analysis.Dedup;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Api;
using MarketPulse.Messaging;
using MarketPulse.Storage;
using MarketPulse.Storage.Logging;
using MarketPulse.Webhooks;
using MarketPulse.Worker;
using Microsoft.Extensions.Options;

namespace MarketPulse.Hosting;

/// <summary>
/// Runs the options' start validation (every options class is registered with <c>ValidateDataAnnotations()</c>
/// and <c>ValidateOnStart()</c>) and turns its failures into one <see cref="StartupException"/> that names the
/// setting as it is configured, e.g. <c>Analysis:Alerts:MinConfidence</c>, so the process ends with one line.
/// </summary>
internal static partial class OptionsValidation
{
    private static readonly Dictionary<string, string> Sections = new(StringComparer.Ordinal)
    {
        [nameof(AnalysisWorkerOptions)] = AnalysisWorkerOptions.Section,
        [nameof(ApiOptions)] = ApiOptions.Section,
        [nameof(DatabaseLogOptions)] = DatabaseLogOptions.Section,
        [nameof(DedupOptions)] = DedupOptions.SectionName,
        [nameof(KafkaOptions)] = KafkaOptions.Section,
        [nameof(OllamaOptions)] = OllamaOptions.SectionName,
        [nameof(RedisOptions)] = RedisOptions.Section,
        [nameof(ShutdownOptions)] = ShutdownOptions.Section,
        [nameof(StartupOptions)] = StartupOptions.Section,
        [nameof(WebhookOptions)] = WebhookOptions.Section,
    };

    /// <summary>
    /// Validates every option registered with <c>ValidateOnStart()</c> now, before a hosted service's
    /// constructor could read one and fail with the raw exception.
    /// </summary>
    public static void ValidateAll(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw ToStartupException(e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OptionsValidationException))
        {
            throw ToStartupException([.. e.InnerExceptions.Cast<OptionsValidationException>()]);
        }
    }

    /// <summary>One exception naming the first failed setting; further failures follow on the same line.</summary>
    public static StartupException ToStartupException(params OptionsValidationException[] exceptions)
    {
        var failures = exceptions.SelectMany(e => e.Failures.Select(f => Describe(e.OptionsType.Name, f))).ToList();
        var (setting, message) = failures[0];
        var rest = failures.Skip(1).Select(f => $"; {f.Setting}: {f.Message}");
        return new StartupException(setting, message + string.Concat(rest), exceptions[0]);
    }

    // DataAnnotationValidateOptions words a failure as
    // "DataAnnotation validation failed for 'KafkaOptions.Sentiment' members: 'Partitions' with the error: '...'."
    private static (string Setting, string Message) Describe(string optionsType, string failure)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success)
        {
            return (Sections.GetValueOrDefault(optionsType, optionsType), failure);
        }

        var path = ListIndex().Replace(match.Groups["path"].Value, ":$1").Split('.');
        path[0] = Sections.GetValueOrDefault(path[0], path[0]);
        var members = match.Groups["members"].Value;
        var setting = string.Join(':', members.Length == 0 || members.Contains(", ", StringComparison.Ordinal) ? path : [.. path, members]);
        return (setting, match.Groups["error"].Value);
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '(?<path>[^']*)' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex ListIndex();
}
