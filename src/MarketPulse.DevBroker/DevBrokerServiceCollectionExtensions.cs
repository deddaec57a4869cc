using MarketPulse.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPulse.DevBroker;

public static class DevBrokerServiceCollectionExtensions
{
    /// <summary>
    /// Lets <see cref="KafkaEnvironment"/> host librdkafka's mock cluster when <c>Kafka:BootstrapServers</c> is empty;
    /// with a configured cluster nothing is started.
    /// </summary>
    public static IServiceCollection AddDevelopmentBroker(this IServiceCollection services) =>
        services.AddSingleton<Func<IInProcessBroker>>(() => new MockKafkaCluster());
}
