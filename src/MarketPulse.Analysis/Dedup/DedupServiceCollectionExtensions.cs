using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MarketPulse.Analysis.Dedup;

/// <summary>Registration of the duplicate index.</summary>
public static class DedupServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="NearDuplicateIndex"/> as a singleton with <see cref="DedupOptions"/> bound to the
    /// <c>Dedup</c> section and validated at start. Needs an <c>IConnectionMultiplexer</c> registered elsewhere.
    /// </summary>
    public static IServiceCollection AddDedup(this IServiceCollection services)
    {
        services.AddOptions<DedupOptions>().BindConfiguration(DedupOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NearDuplicateIndex>();
        return services;
    }
}
