using Microsoft.Extensions.Logging;

namespace MarketPulse.Analysis.Entities;

/// <summary>Log messages of entity extraction (event ids 6200-6299).</summary>
internal static partial class EntitiesLog
{
    [LoggerMessage(6200, LogLevel.Warning, "Securities reference folder {Folder} not found: only cashtags, qualified symbols, indices, currencies, commodities, crypto and built-in company aliases will be recognised")]
    public static partial void ReferenceFolderMissing(ILogger logger, string folder);

    [LoggerMessage(6201, LogLevel.Warning, "Securities reference folder {Folder} holds none of the expected lists: only cashtags, qualified symbols, indices, currencies, commodities, crypto and built-in company aliases will be recognised")]
    public static partial void ReferenceFolderEmpty(ILogger logger, string folder);

    [LoggerMessage(6202, LogLevel.Warning, "Securities reference file {Path} could not be read; it is skipped")]
    public static partial void ReferenceFileUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(6203, LogLevel.Information, "Loaded {Securities} securities and {Phrases} phrases from {Files} reference files in {ElapsedMs} ms ({Folder})")]
    public static partial void CatalogLoaded(ILogger logger, int securities, int phrases, int files, long elapsedMs, string folder);
}
