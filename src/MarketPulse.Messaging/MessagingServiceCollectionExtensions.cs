using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>Kafka options (section <c>Kafka</c>, validated at start), the environment and the producer.</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<KafkaEnvironment>();
        services.AddSingleton<KafkaProducer>();
        return services;
    }
}
