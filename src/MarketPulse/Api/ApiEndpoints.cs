using System.Text.Json;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Storage;
using MarketPulse.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Api;

/// <summary><c>POST /api/analyze</c> (a judgement, not stored) and <c>GET /api/items/{id}</c> (a stored item with every analysis).</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api").AddEndpointFilter(RequireKey).MapGet("/items/{id:guid}", GetItemAsync).WithName("get-item");
        return endpoints;
    }

    public static IEndpointRouteBuilder MapAnalyzeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api").AddEndpointFilter(RequireKey).MapPost("/analyze", AnalyzeAsync).WithName("analyze").DisableAntiforgery();
        return endpoints;
    }

    public sealed record AnalyzeRequest(string? Text, string? Source);

    private static async Task<IResult> AnalyzeAsync(HttpContext context, ITextAnalyzer analyzer, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        AnalyzeRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<AnalyzeRequest>(cancellationToken);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "Malformed JSON", detail: e.Message);
        }
        catch (InvalidOperationException)
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send JSON with Content-Type: application/json.");
        }

        var text = TextSanitizer.Clean(request?.Text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Results.Problem(statusCode: 422, title: "Invalid request", detail: "text is required and must contain readable text.",
                extensions: new Dictionary<string, object?> { ["errors"] = new[] { new { field = "text", rule = "required" } } });
        }

        if (text.Length > options.Value.MaxTextLength)
        {
            return Results.Problem(statusCode: 422, title: "Invalid request", detail: $"text is longer than {options.Value.MaxTextLength} characters.",
                extensions: new Dictionary<string, object?> { ["errors"] = new[] { new { field = "text", rule = "max_length" } } });
        }

        try
        {
            var results = await analyzer.AnalyzeAsync([new AnalysisRequest(text, request?.Source)], cancellationToken);
            return Results.Ok(results[0]);
        }
        catch (AnalyzerUnavailableException e)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)(e.RetryAfter?.TotalSeconds ?? 5)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 503, title: "Analyser unavailable", detail: e.Message);
        }
        catch (AnalysisFailedException e)
        {
            return Results.Problem(statusCode: 502, title: "Analysis failed", detail: e.Reason);
        }
    }

    private static async Task<IResult> GetItemAsync(Guid id, Databases databases, CancellationToken cancellationToken)
    {
        object? item = null;
        await using (var command = databases.Raw.CreateCommand("""
            SELECT source, external_id, kind, text, title, author, url, language, published_at, received_at, symbols, metrics::text, raw::text
            FROM raw_items WHERE id = $1
            """))
        {
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                item = new
                {
                    id,
                    source = reader.GetString(0),
                    externalId = reader.GetString(1),
                    kind = reader.GetString(2),
                    text = Nullable(reader, 3),
                    title = Nullable(reader, 4),
                    author = Nullable(reader, 5),
                    url = Nullable(reader, 6),
                    language = Nullable(reader, 7),
                    publishedAt = reader.IsDBNull(8) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(8),
                    receivedAt = reader.GetFieldValue<DateTimeOffset>(9),
                    symbols = reader.GetFieldValue<string[]>(10),
                    metrics = JsonDocument.Parse(reader.GetString(11)).RootElement,
                    raw = JsonDocument.Parse(reader.GetString(12)).RootElement,
                };
            }
        }

        if (item is null)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"No item has the id {id}.");
        }

        var analyses = new List<object>();
        await using (var command = databases.Analytics.CreateCommand("""
            SELECT version, label, score, confidence, asset_class, entities::text, symbols, analyzer, model, prompt_version, analyzed_at, latency_ms
            FROM analysis_results WHERE item_id = $1 ORDER BY analyzed_at
            """))
        {
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                analyses.Add(new
                {
                    version = reader.GetString(0),
                    label = reader.GetString(1),
                    score = reader.GetFloat(2),
                    confidence = reader.GetFloat(3),
                    assetClass = reader.GetString(4),
                    entities = JsonDocument.Parse(reader.GetString(5)).RootElement,
                    symbols = reader.GetFieldValue<string[]>(6),
                    analyzer = reader.GetString(7),
                    model = reader.GetString(8),
                    promptVersion = reader.GetString(9),
                    analyzedAt = reader.GetFieldValue<DateTimeOffset>(10),
                    latencyMs = reader.GetDouble(11),
                });
            }
        }

        object? duplicateOf = null;
        await using (var command = databases.Analytics.CreateCommand("SELECT original_id, kind, similarity, detected_at FROM duplicates WHERE item_id = $1"))
        {
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                duplicateOf = new { originalId = reader.GetGuid(0), kind = reader.GetString(1), similarity = reader.GetFloat(2), detectedAt = reader.GetFieldValue<DateTimeOffset>(3) };
            }
        }

        object? failure = null;
        await using (var command = databases.Analytics.CreateCommand("SELECT attempts, error, failed_at FROM analysis_failures WHERE item_id = $1"))
        {
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                failure = new { attempts = reader.GetInt32(0), error = reader.GetString(1), failedAt = reader.GetFieldValue<DateTimeOffset>(2) };
            }
        }

        return Results.Ok(new { item, analyses, duplicateOf, failure });
    }

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static async ValueTask<object?> RequireKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!ApiKey.IsPresented(context.HttpContext))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: 401, title: "Unauthorized");
        }

        return await next(context);
    }
}
