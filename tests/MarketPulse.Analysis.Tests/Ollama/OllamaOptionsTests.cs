using MarketPulse.Analysis.Ollama;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MarketPulse.Analysis.Tests.Ollama;

public sealed class OllamaOptionsTests
{
    private static readonly DataAnnotationValidateOptions<OllamaOptions> Validator = new(null);

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(Validator.Validate(null, new OllamaOptions()).Succeeded);
    }

    public static TheoryData<string, Action<OllamaOptions>> InvalidSettings => new()
    {
        { "Endpoint", o => o.Endpoint = null },
        { "Endpoint", o => o.Endpoint = new Uri("ftp://ollama:21") },
        { "Model", o => o.Model = " " },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.Zero },
        { "MaxRetries", o => o.MaxRetries = -1 },
        { "CircuitBreakerFailures", o => o.CircuitBreakerFailures = 1 },
        { "CircuitBreakerDuration", o => o.CircuitBreakerDuration = TimeSpan.FromMilliseconds(100) },
        { "Temperature", o => o.Temperature = double.NaN },
        { "KeepAlive", o => o.KeepAlive = TimeSpan.FromSeconds(-1) },
        { "MaxConcurrency", o => o.MaxConcurrency = 0 },
        { "Fallback", o => o.Fallback = (FallbackMode)7 },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Invalid_setting_is_named_in_the_failure(string setting, Action<OllamaOptions> breakIt)
    {
        var options = new OllamaOptions();
        breakIt(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"members: '{setting}'", Assert.Single(result.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_host_at_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ollama:MaxConcurrency"] = "0" });
        builder.Services.AddOllamaAnalyzer();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal(typeof(OllamaOptions), ex.OptionsType);
        Assert.Contains("'MaxConcurrency'", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_analyser_uses_the_configured_endpoint_and_model()
    {
        await using var server = await FakeOllamaServer.StartAsync(_ => FakeReply.Content(Answers.Valid("Neutral", 0, 0.6, "Macro")));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ollama:Endpoint"] = server.Endpoint.ToString(),
            ["Ollama:Model"] = "granite3.3:2b",
            ["Ollama:RequestTimeout"] = "00:00:20",
            ["Ollama:Fallback"] = "Fallback",
        });
        builder.Services.AddOllamaAnalyzer();
        using var host = builder.Build();
        await host.StartAsync(CancellationToken.None);

        var analyzer = host.Services.GetRequiredKeyedService<ITextAnalyzer>("ollama");
        var result = Assert.Single(await analyzer.AnalyzeAsync([new AnalysisRequest("RBI holds repo rate at 6.5%", "economic")], CancellationToken.None));

        Assert.Equal("granite3.3:2b", result.Model);
        Assert.Equal("granite3.3:2b", Assert.Single(server.Calls).Model);
        Assert.Equal(FallbackMode.Fallback, host.Services.GetRequiredService<IOptions<OllamaOptions>>().Value.Fallback);
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Closed, host.Services.GetRequiredKeyedService<Polly.CircuitBreaker.CircuitBreakerStateProvider>("ollama").CircuitState);
        await host.StopAsync(CancellationToken.None);
    }
}
