using System.CommandLine;
using System.Text.Json;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Worker;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse analyze</c>: reads JSON lines <c>{"id": "...", "text": "...", "source": "news"}</c> on stdin
/// and writes one JSON result per line on stdout, in input order, with the configured analyser. A line that
/// cannot be read or analysed gives <c>{"id": ..., "error": "..."}</c>; the exit code is then 1.
/// </summary>
internal static class AnalyzeCommand
{
    private const int BatchSize = 32;

    // The shared result shape, with non-ASCII text written as is for a terminal.
    private static readonly JsonSerializerOptions Json = new(MessageJson.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(string[] configuration)
    {
        var command = new Command("analyze", "analyse JSON lines {\"id\",\"text\"} from stdin, one JSON result per line on stdout");
        command.SetAction((_, cancellationToken) => RunAsync(configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddFilter((_, level) => level >= LogLevel.Warning);
        builder.Services.AddAnalyzers();
        using var host = builder.Build();
        var analyzer = host.Services.GetRequiredService<ITextAnalyzer>();

        var failures = 0;
        var lineNumber = 0;
        var batch = new List<(string? Id, AnalysisRequest? Request, string? Error)>();
        string? line;
        while ((line = await Console.In.ReadLineAsync(cancellationToken)) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            batch.Add(Parse(line, lineNumber));
            if (batch.Count == BatchSize)
            {
                failures += await FlushAsync(analyzer, batch, cancellationToken);
            }
        }

        failures += await FlushAsync(analyzer, batch, cancellationToken);
        if (failures > 0)
        {
            await Console.Error.WriteLineAsync($"marketpulse analyze: {failures} line(s) failed; see their \"error\" fields.");
        }

        return failures == 0 ? 0 : 1;
    }

    private static (string? Id, AnalysisRequest? Request, string? Error) Parse(string line, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, $"line {lineNumber}: expected a JSON object");
            }

            var id = root.TryGetProperty("id", out var idElement) ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText()) : null;
            var text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? Webhooks.TextSanitizer.Clean(t.GetString()) : null;
            var source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return string.IsNullOrWhiteSpace(text)
                ? (id, null, $"line {lineNumber}: \"text\" is required")
                : (id, new AnalysisRequest(text, source), null);
        }
        catch (JsonException e)
        {
            return (null, null, $"line {lineNumber}: not valid JSON: {e.Message}");
        }
    }

    private static async Task<int> FlushAsync(ITextAnalyzer analyzer, List<(string? Id, AnalysisRequest? Request, string? Error)> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var requests = batch.Where(b => b.Request is not null).Select(b => b.Request!).ToList();
        IReadOnlyList<AnalysisResult?> results;
        string? batchError = null;
        try
        {
            results = requests.Count == 0 ? [] : await analyzer.AnalyzeAsync(requests, cancellationToken);
        }
        catch (AnalysisFailedException e)
        {
            results = Enumerable.Range(0, requests.Count).Select(k => e.PartialResults.Count > k ? e.PartialResults[k] : null).ToList();
            batchError = e.Reason;
        }
        catch (AnalyzerUnavailableException e)
        {
            results = requests.Select(_ => (AnalysisResult?)null).ToList();
            batchError = e.Message;
        }

        var failures = 0;
        var k = 0;
        foreach (var (id, request, error) in batch)
        {
            object line;
            if (request is null)
            {
                line = new { id, error };
                failures++;
            }
            else if (results[k++] is { } r)
            {
                line = new { id, label = r.Label, score = r.Score, confidence = r.Confidence, assetClass = r.AssetClass, entities = r.Entities, analyzer = r.Analyzer, model = r.Model, promptVersion = r.PromptVersion };
            }
            else
            {
                line = new { id, error = batchError ?? "not analysed" };
                failures++;
            }

            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(line, Json));
        }

        await Console.Out.FlushAsync(cancellationToken);
        batch.Clear();
        return failures;
    }
}
