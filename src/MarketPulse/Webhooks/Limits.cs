namespace MarketPulse.Webhooks;

/// <summary>Validation limits shared by every source.</summary>
public static class Limits
{
    public const int MaxBatchItems = 1000;
    public const int MaxTitleLength = 1000;
    public const int MaxTextLength = 20_000;
    public const int MaxIdLength = 200;
    public const int MaxUrlLength = 2048;
    public const int MaxShortFieldLength = 200;

    /// <summary>Nothing published before this is accepted.</summary>
    public static readonly DateTimeOffset EarliestTimestamp = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far after the receive time a timestamp may lie (clock skew, time zones).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    /// <summary>Economic calendars announce releases ahead; a scheduled event may lie this far ahead.</summary>
    public static readonly TimeSpan MaxScheduledAhead = TimeSpan.FromDays(400);
}
