using MarketPulse.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MarketPulse.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>The item store behind <c>GET /api/items/{id}</c>, served by every role (so also without the worker).</summary>
    public static IServiceCollection AddItemsApi(this IServiceCollection services)
    {
        services.TryAddSingleton<AnalyticsStore>();
        services.AddSingleton<ItemStore>();
        return services;
    }
}
