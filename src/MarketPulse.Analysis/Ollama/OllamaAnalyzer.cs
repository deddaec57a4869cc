using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using MarketPulse.Analysis.Ollama.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MarketPulse.Analysis.Ollama;

/// <summary>
/// Analyses texts with a model served by Ollama (IBM Granite 3.3 by default) through <c>POST /api/chat</c>
/// with structured outputs. Timeouts, retries with jittered backoff and the circuit breaker are the standard
/// resilience handler of its <see cref="HttpClient"/> (see <see cref="OllamaResilience"/>); the analyser adds
/// one correction turn on an invalid answer. Never returns a default answer:
/// failures surface as <see cref="AnalysisFailedException"/> or <see cref="AnalyzerUnavailableException"/>.
/// </summary>
public sealed class OllamaAnalyzer : ITextAnalyzer
{
    /// <summary>Value of <see cref="AnalysisResult.Analyzer"/> for results of this analyser.</summary>
    public const string AnalyzerName = "ollama";

    private const int AnswerAttempts = 2;

    // Escapes < > & ' " + as \uXXXX, so item text can never close the data block, but keeps other scripts
    // (Hindi, Tamil) readable and cheap in tokens.
    private static readonly JsonSerializerOptions DataJson = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private static readonly JsonElement Schema = JsonDocument.Parse(AnalysisPromptV2.Schema).RootElement.Clone();

    private readonly HttpClient _http;
    private readonly OllamaOptions _options;
    private readonly CircuitBreakerStateProvider? _circuit;
    private readonly ILogger _logger;
    private readonly Uri _chatUri;

    /// <param name="httpClient">A client whose handler applies <see cref="OllamaResilience"/>; <see cref="OllamaServiceCollectionExtensions.AddOllamaAnalyzer"/> builds it.</param>
    /// <param name="options">Validated settings.</param>
    /// <param name="circuit">State of the client's circuit breaker, so a half-open circuit gets one trial call before the rest of a batch.</param>
    /// <param name="logger">Logger for rejected answers.</param>
    public OllamaAnalyzer(HttpClient httpClient, OllamaOptions options, CircuitBreakerStateProvider? circuit = null, ILogger<OllamaAnalyzer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new DataAnnotationValidateOptions<OllamaOptions>(null).Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _http = httpClient;
        _options = options;
        _circuit = circuit;
        _logger = logger ?? NullLogger<OllamaAnalyzer>.Instance;
        var endpoint = options.Endpoint!.AbsoluteUri;
        _chatUri = new Uri(new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/"), "api/chat");
    }

    /// <inheritdoc />
    public string Name => AnalyzerName;

    /// <summary>Model tag stored with every result.</summary>
    public string Model => _options.Model;

    /// <summary>Prompt version stored with every result.</summary>
    public static string PromptVersion => AnalysisPromptV2.Version;

    /// <inheritdoc />
    /// <exception cref="AnalysisFailedException">An item got no acceptable answer after a retry; the others are in <see cref="AnalysisFailedException.PartialResults"/>.</exception>
    /// <exception cref="AnalyzerUnavailableException">Ollama could not be reached after retries, or the circuit is open.</exception>
    public async Task<IReadOnlyList<AnalysisResult>> AnalyzeAsync(IReadOnlyList<AnalysisRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        var results = new AnalysisResult?[requests.Count];
        var failures = new Exception?[requests.Count];

        // Once Ollama is unreachable the other items would only burn their retries: stop them.
        using var stopOthers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(_options.MaxConcurrency);

        async Task RunAsync(int index)
        {
            try
            {
                await gate.WaitAsync(stopOthers.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                results[index] = await AnalyzeOneAsync(index, requests[index], stopOthers.Token);
            }
            catch (AnalyzerUnavailableException ex)
            {
                failures[index] = ex;
                await stopOthers.CancelAsync();
            }
            catch (AnalysisFailedException ex)
            {
                failures[index] = ex;
            }
            catch (OperationCanceledException) when (stopOthers.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Stopped because another item found Ollama unavailable.
            }
            finally
            {
                gate.Release();
            }
        }

        // An open or half-open circuit admits one trial call at most: let the first item make it (or fail fast)
        // before the others follow.
        var indices = Enumerable.Range(0, requests.Count);
        if (_circuit is { CircuitState: not CircuitState.Closed })
        {
            await RunAsync(0);
            indices = indices.Skip(1);
        }

        await Task.WhenAll(indices.Select(RunAsync));
        cancellationToken.ThrowIfCancellationRequested();

        if (Array.Find(failures, f => f is AnalyzerUnavailableException) is AnalyzerUnavailableException unavailable)
        {
            throw new AnalyzerUnavailableException(unavailable.Message, unavailable.InnerException, results, unavailable.RetryAfter);
        }

        var firstFailed = Array.FindIndex(failures, f => f is AnalysisFailedException);
        if (firstFailed >= 0)
        {
            var failed = (AnalysisFailedException)failures[firstFailed]!;
            throw new AnalysisFailedException(firstFailed, failed.Reason, results);
        }

        return results.Select(r => r!).ToArray();
    }

    private async Task<AnalysisResult> AnalyzeOneAsync(int index, AnalysisRequest request, CancellationToken cancellationToken)
    {
        var messages = new List<(string Role, string Content)>
        {
            ("system", AnalysisPromptV2.System),
            ("user", BuildUserMessage(request, _options.MaxTextChars)),
        };

        string? reason = null;
        for (var attempt = 1; attempt <= AnswerAttempts; attempt++)
        {
            var reply = await SendAsync(messages, cancellationToken);
            if (reply.Content is null)
            {
                reason = "answer: the reply is not an Ollama chat response with message.content";
            }
            else if (reply.Truncated)
            {
                reason = "answer: was cut off at the token limit";
            }
            else if (AnalysisAnswerParser.TryParse(reply.Content, out var answer, out reason))
            {
                OllamaLog.Analysed(_logger, index, answer.Label, answer.Score, reply.PromptTokens, reply.AnswerTokens);
                return new AnalysisResult(
                    answer.Label, answer.Score, answer.Confidence, answer.AssetClass, answer.Entities,
                    AnalyzerName, _options.Model, AnalysisPromptV2.Version);
            }

            OllamaLog.AnswerRejected(_logger, index, attempt, reason);
            if (attempt == 1)
            {
                // Only our own wording goes back: the rejected answer may echo the untrusted item.
                messages.Add(("user", string.Format(
                    CultureInfo.InvariantCulture, AnalysisPromptV2.CorrectionFormat, AnalysisAnswerParser.FieldOf(reason))));
            }
        }

        throw new AnalysisFailedException(index, reason!, []);
    }

    /// <summary>The user message: a fixed instruction and the item as a JSON object inside the data block.</summary>
    internal static string BuildUserMessage(AnalysisRequest request, int maxTextChars)
    {
        var text = request.Text ?? string.Empty;
        if (text.Length > maxTextChars)
        {
            var cut = maxTextChars;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut];
        }

        var data = JsonSerializer.Serialize(new DataItem(request.Source ?? "unknown", text), DataJson);
        return string.Concat(
            AnalysisPromptV2.Instruction, "\n", AnalysisPromptV2.DataOpen, "\n", data, "\n", AnalysisPromptV2.DataClose);
    }

    private async Task<ChatReply> SendAsync(List<(string Role, string Content)> messages, CancellationToken cancellationToken)
    {
        var attempts = _options.MaxRetries + 1;
        try
        {
            using var content = new ByteArrayContent(BuildChatBody(messages));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(_chatUri, content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return ReadChatReply(body);
            }

            // The handler has already retried a transient status; what reaches here is final.
            var error = $"HTTP {(int)response.StatusCode}: {ErrorText(body)}";
            throw new AnalyzerUnavailableException(IsTransient(response.StatusCode)
                ? $"Ollama at {_options.Endpoint} failed {attempts} times: {error}"
                : $"Ollama at {_options.Endpoint} refused the request: {error}");
        }
        catch (BrokenCircuitException ex)
        {
            throw new AnalyzerUnavailableException(
                ex.RetryAfter is { } retryAfter
                    ? $"Ollama circuit is open for another {retryAfter}; retry later."
                    : "Ollama circuit is open or its trial call is in flight; retry later.",
                ex, [], ex.RetryAfter);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new AnalyzerUnavailableException(
                $"Ollama at {_options.Endpoint} failed {attempts} times: no answer within {_options.RequestTimeout}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AnalyzerUnavailableException($"Ollama at {_options.Endpoint} failed {attempts} times: {ex.Message}", ex);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    internal byte[] BuildChatBody(List<(string Role, string Content)> messages)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", _options.Model);
            json.WriteStartArray("messages");
            foreach (var (role, text) in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", role);
                json.WriteString("content", text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("stream", false);
            json.WritePropertyName("format");
            Schema.WriteTo(json);
            json.WriteStartObject("options");
            json.WriteNumber("temperature", _options.Temperature);
            json.WriteNumber("seed", _options.Seed);
            json.WriteNumber("num_ctx", _options.ContextTokens);
            json.WriteNumber("num_predict", _options.MaxAnswerTokens);
            json.WriteEndObject();
            json.WriteString("keep_alive", string.Create(CultureInfo.InvariantCulture, $"{(long)_options.KeepAlive.TotalSeconds}s"));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // A 200 whose body is not an Ollama chat response is treated like an invalid answer (empty content),
    // not as an outage: the server is up, something between it and us garbled the reply.
    private static ChatReply ReadChatReply(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                return new ChatReply(null, false, null, null);
            }

            var truncated = root.TryGetProperty("done_reason", out var doneReason)
                && doneReason.ValueKind == JsonValueKind.String
                && string.Equals(doneReason.GetString(), "length", StringComparison.Ordinal);
            return new ChatReply(content.GetString(), truncated, Count(root, "prompt_eval_count"), Count(root, "eval_count"));
        }
        catch (JsonException)
        {
            return new ChatReply(null, false, null, null);
        }
    }

    private static int? Count(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt32(out var count) ? count : null;

    // Ollama reports errors as {"error": "..."}.
    private static string ErrorText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                return error.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return body.Length <= 200 ? body : body[..200];
    }

    private sealed record DataItem(
        [property: System.Text.Json.Serialization.JsonPropertyName("source")] string Source,
        [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text);

    private sealed record ChatReply(string? Content, bool Truncated, int? PromptTokens, int? AnswerTokens);
}
