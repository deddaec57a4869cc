namespace MarketPulse.Api;

/// <summary>A query parameter a caller got wrong; <see cref="DashboardApi"/> answers it with 400 problem+json naming it.</summary>
public sealed class InvalidParameterException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}
