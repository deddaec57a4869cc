namespace MarketPulse.Storage.Rollups;

/// <summary>A series interval and the rollup table that answers it.</summary>
public enum RollupGrain
{
    Minute,
    FiveMinutes,
    Hour,
    Day,
}
