using MarketPulse.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging.Tests;

/// <summary>The Kafka section as <see cref="MessagingServiceCollectionExtensions.AddMessaging"/> binds and validates it.</summary>
public sealed class KafkaOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Equal("sentiment_analysis_topic", Bind([]).Sentiment.Name);
    }

    [Fact]
    public void A_nested_topic_setting_is_validated_and_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind([("Kafka:Alert:Partitions", "0")]));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("'KafkaOptions.Alert' members: 'Partitions'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_topics_with_one_name_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind([("Kafka:DeadLetter:Name", "alert_topic")]));

        Assert.Contains("five different names", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    private static KafkaOptions Bind((string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMessaging()
            .BuildServiceProvider();
        return provider.GetRequiredService<IOptions<KafkaOptions>>().Value;
    }
}
