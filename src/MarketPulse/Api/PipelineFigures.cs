namespace MarketPulse.Api;

/// <summary>The pipeline over the last <see cref="WindowMinutes"/> minutes; a figure is null when its database is down.</summary>
public sealed record PipelineFigures(
    int WindowMinutes,
    double? IngestPerMinute,
    int? OutboxBacklog,
    double? AnalysedPerMinute,
    double? LatencyP95Ms,
    double? DuplicateRate,
    int? Failures,
    IReadOnlyDictionary<string, DependencyState> Dependencies);
