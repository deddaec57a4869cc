using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MarketPulse.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>Kafka options (section <c>Kafka</c>, validated at start), the environment and the producer.</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.Section)
            .Validate(o => o.GetTopics().Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() == o.GetTopics().Count,
                "Kafka: the sentiment, aggregation, market-data, alert and dead-letter topics must have five different names.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();
        services.AddSingleton<KafkaEnvironment>();
        services.AddSingleton<KafkaProducer>();
        return services;
    }
}
