namespace MarketPulse.Api;

internal static partial class DashboardLog
{
    [LoggerMessage(6500, LogLevel.Warning, "Live feed: polling the analytics database failed; retrying")]
    public static partial void FeedPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(6501, LogLevel.Warning, "Pipeline figures: the {Database} database did not answer")]
    public static partial void PipelineFiguresFailed(ILogger logger, string database, Exception exception);
}
