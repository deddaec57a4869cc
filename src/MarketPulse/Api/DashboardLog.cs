namespace MarketPulse.Api;

internal static partial class DashboardLog
{
    [LoggerMessage(7000, LogLevel.Warning, "Live feed: polling the analytics database failed; retrying")]
    public static partial void FeedPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(7001, LogLevel.Warning, "Pipeline figures: the {Database} database did not answer")]
    public static partial void PipelineFiguresFailed(ILogger logger, string database, Exception exception);
}
