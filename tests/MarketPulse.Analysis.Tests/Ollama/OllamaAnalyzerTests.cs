using System.Text.Json;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Analysis.Ollama.Prompts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Analysis.Tests.Ollama;

public sealed class OllamaAnalyzerTests
{
    private static readonly AnalysisRequest Headline =
        new("Reliance Industries shares jump 4% after strong quarterly profit; Nifty gains", "news");

    /// <summary>The analyser as the service composes it (typed client behind the resilience handler), with test settings.</summary>
    internal static OllamaAnalyzer CreateAnalyzer(Uri endpoint, Action<OllamaOptions>? configure = null, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddOllamaAnalyzer();
        services.Configure<OllamaOptions>(options =>
        {
            options.Endpoint = endpoint;
            options.Model = "granite3.3:8b";
            options.RequestTimeout = TimeSpan.FromSeconds(10);
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetries = 2;
            options.CircuitBreakerFailures = 5;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider().GetRequiredService<OllamaAnalyzer>();
    }

    [Fact]
    public async Task Request_is_non_streaming_schema_constrained_and_deterministic()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(Answers.Valid()));
        var analyzer = CreateAnalyzer(server.Endpoint, o =>
        {
            o.Model = "granite3.3:2b";
            o.Seed = 7;
            o.ContextTokens = 2048;
            o.KeepAlive = TimeSpan.FromMinutes(5);
        });

        await analyzer.AnalyzeAsync([Headline], CancellationToken.None);

        var body = Assert.Single(server.Calls).Body;
        Assert.Equal("granite3.3:2b", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("300s", body.GetProperty("keep_alive").GetString());
        var options = body.GetProperty("options");
        Assert.Equal(0, options.GetProperty("temperature").GetDouble());
        Assert.Equal(7, options.GetProperty("seed").GetInt32());
        Assert.Equal(2048, options.GetProperty("num_ctx").GetInt32());

        var format = body.GetProperty("format");
        Assert.Equal("object", format.GetProperty("type").GetString());
        Assert.Equal(["label", "score", "confidence", "asset_class", "entities"], Strings(format.GetProperty("required")));
        Assert.False(format.GetProperty("additionalProperties").GetBoolean());
        var properties = format.GetProperty("properties");
        Assert.Equal(Enum.GetNames<SentimentLabel>().Order(), Strings(properties.GetProperty("label").GetProperty("enum")).Order());
        Assert.Equal(Enum.GetNames<AssetClass>(), Strings(properties.GetProperty("asset_class").GetProperty("enum")));
        Assert.Equal(
            Enum.GetNames<EntityType>(),
            Strings(properties.GetProperty("entities").GetProperty("items").GetProperty("properties").GetProperty("type").GetProperty("enum")));

        var messages = body.GetProperty("messages");
        Assert.Equal(2, messages.GetArrayLength());
        Assert.Equal(AnalysisPromptV2.System, messages[0].GetProperty("content").GetString());
        Assert.Equal(Headline.Text, server.Calls[0].ItemText);
        Assert.Equal("news", server.Calls[0].ItemSource);
    }

    [Fact]
    public async Task Answer_becomes_a_result_with_entities_and_provenance()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(Answers.Valid("Bullish", 0.7, 0.85)));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var result = Assert.Single(await analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Equal(SentimentLabel.Bullish, result.Label);
        Assert.Equal(0.7, result.Score);
        Assert.Equal(0.85, result.Confidence);
        Assert.Equal(AssetClass.Equity, result.AssetClass);
        Assert.Equal(
            [
                new Entity(EntityType.Company, "Reliance Industries", "RELIANCE", "NSE", SentimentLabel.Bullish),
                new Entity(EntityType.Index, "Nifty", "NIFTY 50"),
            ],
            result.Entities);
        Assert.Equal("ollama", result.Analyzer);
        Assert.Equal("granite3.3:8b", result.Model);
        Assert.Equal(AnalysisPromptV2.Version, result.PromptVersion);
    }

    [Fact]
    public async Task Answer_with_sector_and_index_entities_keeps_each_entity_its_own_sentiment()
    {
        const string answer = "{\"label\":\"Neutral\",\"score\":0,\"confidence\":0.6,\"asset_class\":\"Index\",\"entities\":["
            + "{\"type\":\"Index\",\"text\":\"Sensex\",\"symbol\":\"SENSEX\",\"exchange\":null,\"sentiment\":\"Bearish\"},"
            + "{\"type\":\"Sector\",\"text\":\"IT stocks\",\"symbol\":null,\"exchange\":null,\"sentiment\":\"Bullish\"}]}";
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(answer));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var result = Assert.Single(await analyzer.AnalyzeAsync([new AnalysisRequest("Sensex falls 300 points; IT stocks gain", "news")], CancellationToken.None));

        Assert.Contains(result.Entities, e => e is { Type: EntityType.Index, Text: "Sensex", Sentiment: SentimentLabel.Bearish });
        Assert.Contains(result.Entities, e => e is { Type: EntityType.Sector, Text: "IT stocks", Sentiment: SentimentLabel.Bullish });
        Assert.Equal("Sensex falls 300 points; IT stocks gain", server.Calls[0].ItemText);
    }

    [Fact]
    public async Task Batch_keeps_request_order_and_bounds_concurrency()
    {
        // Each item's label is in its text. Item 0 is answered only once item 2 has arrived, which with two slots
        // needs item 1 answered while item 0 is still in flight: completion order differs from request order,
        // and a client that sent one request at a time would never get item 0 answered.
        string[] labels = ["Bullish", "Bearish", "Neutral", "Bearish", "Bullish", "Neutral"];
        var arrived = labels.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        await using var server = await FakeOllamaServer.StartAsync(call =>
        {
            var label = call.ItemText.Split(' ')[0];
            var index = int.Parse(call.ItemText.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            arrived[index].TrySetResult();
            var score = label == "Bullish" ? 0.5 : label == "Bearish" ? -0.5 : 0;
            var reply = FakeReply.Content(Answers.Valid(label, score));
            return index == 0 ? reply.Until(arrived[2].Task) : reply;
        });
        var analyzer = CreateAnalyzer(server.Endpoint, o => o.MaxConcurrency = 2);

        var results = await analyzer.AnalyzeAsync(
            labels.Select((l, i) => new AnalysisRequest($"{l} {i}", "twitter")).ToArray(), CancellationToken.None);

        Assert.Equal(labels, results.Select(r => r.Label.ToString()));
        Assert.Equal(6, server.Calls.Count);
        Assert.Equal(2, server.MaxInFlight);
    }

    [Fact]
    public async Task Invalid_answer_is_retried_once_with_a_correction_and_then_accepted()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            call.Number == 1 ? FakeReply.Content("{\"label\": \"Bullish\", \"score\": 0.4") : FakeReply.Content(Answers.Valid()));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var result = Assert.Single(await analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Equal(SentimentLabel.Bullish, result.Label);
        Assert.Equal(2, server.Calls.Count);
        var retry = server.Calls[1].Messages;
        Assert.Equal(3, retry.Length);
        Assert.Equal(server.Calls[0].Messages[1].GetProperty("content").GetString(), retry[1].GetProperty("content").GetString());
        Assert.Equal("user", retry[2].GetProperty("role").GetString());
        Assert.Contains("\"answer\"", retry[2].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidAnswers => new()
    {
        { "malformed JSON", "{\"label\": \"Bullish\", \"score\": 0.4" },
        { "empty content", "" },
        { "label outside the set", Answers.Valid("Very Bullish") },
        { "label in other casing", Answers.Valid("bullish") },
        { "score above 1", Answers.Valid("Bullish", 1.5) },
        { "confidence below 0", Answers.Valid("Bullish", 0.5, -0.1) },
        { "score against the label", Answers.Valid("Bearish", 0.6) },
        { "unknown asset class", Answers.Valid(assetClass: "Stocks") },
        { "missing field", "{\"label\":\"Neutral\",\"score\":0,\"confidence\":0.5,\"entities\":[]}" },
        { "extra field", "{\"label\":\"Neutral\",\"score\":0,\"confidence\":0.5,\"asset_class\":\"Macro\",\"entities\":[],\"advice\":\"buy\"}" },
        { "trailing garbage", Answers.Valid() + " Hope this helps!" },
        { "number as string", "{\"label\":\"Neutral\",\"score\":\"0\",\"confidence\":0.5,\"asset_class\":\"Macro\",\"entities\":[]}" },
        { "duplicate field", "{\"label\":\"Neutral\",\"label\":\"Bullish\",\"score\":0,\"confidence\":0.5,\"asset_class\":\"Macro\",\"entities\":[]}" },
        { "entity type outside the set", "{\"label\":\"Neutral\",\"score\":0,\"confidence\":0.5,\"asset_class\":\"Macro\",\"entities\":[{\"type\":\"Planet\",\"text\":\"banks\",\"symbol\":null,\"exchange\":null,\"sentiment\":null}]}" },
        { "markdown fence", "```json\n" + Answers.Valid() + "\n```" },
    };

    [Theory]
    [MemberData(nameof(InvalidAnswers))]
    public async Task Invalid_answer_twice_raises_AnalysisFailedException(string because, string content)
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(content));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var ex = await Assert.ThrowsAsync<AnalysisFailedException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.True(server.Calls.Count == 2, because);
        Assert.Equal(0, ex.RequestIndex);
        Assert.False(string.IsNullOrEmpty(ex.Reason));
    }

    [Fact]
    public async Task Answer_cut_off_at_the_token_limit_is_rejected()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(Answers.Valid(), doneReason: "length"));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var ex = await Assert.ThrowsAsync<AnalysisFailedException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Contains("token limit", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_that_is_not_an_ollama_chat_response_is_rejected()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => new FakeReply(200, "<html>proxy login</html>"));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var ex = await Assert.ThrowsAsync<AnalysisFailedException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Contains("not an Ollama chat response", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Failed_item_does_not_hide_the_results_of_the_others()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            FakeReply.Content(call.ItemText.Contains("garbled", StringComparison.Ordinal) ? "not json" : Answers.Valid()));
        var analyzer = CreateAnalyzer(server.Endpoint);

        var ex = await Assert.ThrowsAsync<AnalysisFailedException>(() => analyzer.AnalyzeAsync(
            [Headline, new AnalysisRequest("garbled item"), Headline], CancellationToken.None));

        Assert.Equal(1, ex.RequestIndex);
        Assert.Equal(3, ex.PartialResults.Count);
        Assert.NotNull(ex.PartialResults[0]);
        Assert.Null(ex.PartialResults[1]);
        Assert.NotNull(ex.PartialResults[2]);
    }

    [Fact]
    public async Task Slow_answer_times_out_and_is_retried()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            call.Number == 1 ? FakeReply.Content(Answers.Valid()).Never() : FakeReply.Content(Answers.Valid("Bearish", -0.6)));
        var analyzer = CreateAnalyzer(server.Endpoint, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        var result = Assert.Single(await analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Equal(SentimentLabel.Bearish, result.Label);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_an_answer_comes()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            call.Number <= 2 ? FakeReply.Error(503, "server busy, please try again.  maximum pending requests exceeded") : FakeReply.Content(Answers.Valid()));
        var analyzer = CreateAnalyzer(server.Endpoint, o => o.MaxRetries = 2);

        var result = Assert.Single(await analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Equal(SentimentLabel.Bullish, result.Label);
        Assert.Equal(3, server.Calls.Count);
    }

    [Fact]
    public async Task Persistent_server_errors_open_the_circuit_and_then_calls_fail_fast()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Error(500, "llama runner process has terminated"));
        var analyzer = CreateAnalyzer(server.Endpoint, o =>
        {
            o.MaxRetries = 1;
            o.CircuitBreakerFailures = 4;
            o.CircuitBreakerDuration = TimeSpan.FromMinutes(5);
        });

        for (var i = 0; i < 2; i++)
        {
            var ex = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));
            Assert.Contains("failed 2 times: HTTP 500: llama runner process has terminated", ex.Message, StringComparison.Ordinal);
            Assert.Null(ex.RetryAfter);
        }

        Assert.Equal(4, server.Calls.Count);

        var open = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Headline, Headline], CancellationToken.None));
        Assert.InRange(open.RetryAfter.GetValueOrDefault(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Assert.Equal(4, server.Calls.Count);
    }

    [Fact]
    public async Task Connection_refused_is_retried_then_reported_unavailable_and_opens_the_circuit()
    {
        var analyzer = CreateAnalyzer(FakeOllamaServer.RefusingEndpoint(), o =>
        {
            o.MaxRetries = 2;
            o.CircuitBreakerFailures = 3;
        });

        var ex = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("failed 3 times", ex.Message, StringComparison.Ordinal);
        var open = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));
        Assert.NotNull(open.RetryAfter);
        Assert.Contains("circuit is open", open.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_model_is_reported_without_retries()
    {
        await using var server = await FakeOllamaServer.StartAsync(call =>
            FakeReply.Error(404, $"model \"{call.Model}\" not found, try pulling it first"));
        var analyzer = CreateAnalyzer(server.Endpoint, o => o.Model = "granite3.3:2b");

        var ex = await Assert.ThrowsAsync<AnalyzerUnavailableException>(() => analyzer.AnalyzeAsync([Headline], CancellationToken.None));

        Assert.Contains("model \"granite3.3:2b\" not found", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Calls);
    }

    [Fact]
    public async Task Caller_cancellation_stops_the_batch()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(Answers.Valid()).Never());
        var analyzer = CreateAnalyzer(server.Endpoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => analyzer.AnalyzeAsync([Headline, Headline], cts.Token));
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
