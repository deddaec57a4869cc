using System.Text.Json;
using System.Text.Unicode;
using MarketPulse.Ingestion;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MarketPulse.Webhooks;

/// <summary>
/// <c>POST /webhooks/{source}</c>, one route per source. In order: media type (415), size (413),
/// signature or API key (401), UTF-8 and JSON (400), the source's shape and rules (422, or per item in a
/// batch), then the items are stored durably before the answer (503 with Retry-After when the raw
/// database is down: nothing is acknowledged that is not stored).
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/webhooks").DisableAntiforgery();
        foreach (var source in SourceNormalizers.All.Keys)
        {
            group.MapPost($"/{source}", (HttpContext context, RawItemWriter writer, IOptionsMonitor<WebhookOptions> options, IngestMetrics metrics, TimeProvider time, ILoggerFactory loggers) =>
                    HandleAsync(source, context, writer, options.CurrentValue, metrics, time, loggers.CreateLogger("MarketPulse.Webhooks")))
                .WithName($"webhook-{source}")
                .WithSummary($"Receives {source} items: stored durably, then answered with each item's id and status")
                .Produces<WebhookResponse>()
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        }

        return endpoints;
    }

    private static async Task<IResult> HandleAsync(string source, HttpContext context, RawItemWriter writer, WebhookOptions options, IngestMetrics metrics, TimeProvider time, ILogger logger)
    {
        var receivedAt = time.GetUtcNow();
        if (CheckContent(context, options) is { } unsupported)
        {
            return unsupported;
        }

        if (await ReadBodyAsync(context, options) is not { } body)
        {
            return TooLarge(options);
        }

        if (Authenticate(options.For(source), context.Request, body, receivedAt, options.SignatureTolerance) is { } reason)
        {
            IngestLog.Unauthorized(logger, source, reason, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        var (document, malformed) = Parse(body);
        if (document is null)
        {
            return malformed!;
        }

        using (document)
        {
            var (items, errors, answered) = Normalize(source, document.RootElement, receivedAt, metrics);
            return answered ?? await StoreAsync(source, items, errors, receivedAt, writer, metrics, context, logger);
        }
    }

    /// <summary>The media type (415) and the declared size (413) are checked before the body is read; the read is then capped.</summary>
    private static IResult? CheckContent(HttpContext context, WebhookOptions options)
    {
        if (!IsJson(context.Request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the payload as JSON with Content-Type: application/json.", "media_type");
        }

        if (context.Request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge(options);
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = options.MaxBodyBytes;
        }

        return null;
    }

    /// <summary>The body, or null when it is larger than <see cref="WebhookOptions.MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, WebhookOptions options)
    {
        try
        {
            return await ReadLimitedAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The body as a JSON document (the caller disposes it), or a 400 for invalid UTF-8 or malformed JSON.</summary>
    private static (JsonDocument? Document, IResult? Malformed) Parse(byte[] body)
    {
        if (!Utf8.IsValid(body))
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid UTF-8", "The body is not valid UTF-8 text.", "utf8"));
        }

        try
        {
            return (JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 }), null);
        }
        catch (JsonException e)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid JSON: {e.Message}", "json"));
        }
    }

    /// <summary>
    /// The source's items that may be stored and the errors of the others (in batch order); or the answer itself when
    /// nothing is to be stored: a 422 when the payload as a whole is not the source's shape or no item passed, a 200
    /// when it held only frames that carry no data (a TrueData heartbeat).
    /// </summary>
    private static (List<IndexedItem> Items, List<ItemError> Errors, IResult? Answered) Normalize(string source, JsonElement root, DateTimeOffset receivedAt, IngestMetrics metrics)
    {
        NormalizeResult normalized;
        try
        {
            normalized = SourceNormalizers.All[source].Normalize(root, receivedAt);
        }
        catch (PayloadShapeException e)
        {
            metrics.Rejected.Add(1);
            return ([], [], Problem(StatusCodes.Status422UnprocessableEntity, "Payload not accepted", e.Message, e.Rule,
                [new ItemError(-1, e.Field, e.Rule, e.Message)]));
        }

        var errors = normalized.Errors.ToList();
        var items = new List<IndexedItem>(normalized.Items.Count);
        foreach (var indexed in normalized.Items)
        {
            if (StorageRule(indexed) is { } error)
            {
                errors.Add(error);
            }
            else
            {
                items.Add(indexed);
            }
        }

        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        metrics.Rejected.Add(errors.Count);
        if (items.Count == 0 && errors.Count == 0)
        {
            return (items, errors, Results.Ok(new WebhookResponse(source, [], [])));
        }

        return items.Count > 0
            ? (items, errors, null)
            : (items, errors, Problem(StatusCodes.Status422UnprocessableEntity, "No item accepted",
                $"None of the {errors.Count} item(s) passed validation; see errors.", "invalid_items", errors));
    }

    /// <summary>Stores the items durably, then answers; nothing is acknowledged that is not stored.</summary>
    private static async Task<IResult> StoreAsync(
        string source, List<IndexedItem> items, List<ItemError> errors, DateTimeOffset receivedAt, RawItemWriter writer, IngestMetrics metrics, HttpContext context, ILogger logger)
    {
        IReadOnlyList<StoredItem> stored;
        try
        {
            stored = await writer.StoreAsync(items.Select(i => i.Item).ToList(), receivedAt, context.RequestAborted);
        }
        catch (PostgresException e) when (RawItemWriter.IsUnstorable(e))
        {
            metrics.Rejected.Add(items.Count);
            return Problem(StatusCodes.Status422UnprocessableEntity, "Payload not storable",
                $"PostgreSQL refused a value of this payload ({e.MessageText}); nothing from this request was stored. Remove the value (for example a lone UTF-16 surrogate escape such as \\ud800) and resend.",
                "unstorable");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !context.RequestAborted.IsCancellationRequested)
        {
            IngestLog.StoreUnavailable(logger, source, e.Message);
            context.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                "The raw database is unavailable; nothing from this request was stored. Retry later.", "storage");
        }

        return Answer(source, items, stored, errors, metrics);
    }

    /// <summary>200 with each accepted item's id and status (<c>created</c> or <c>already_stored</c>) and the rejected ones.</summary>
    private static IResult Answer(string source, List<IndexedItem> items, IReadOnlyList<StoredItem> stored, List<ItemError> errors, IngestMetrics metrics)
    {
        var created = stored.Count(s => s.IsNew);
        metrics.Accepted.Add(created);
        metrics.Redelivered.Add(stored.Count - created);
        return Results.Ok(new WebhookResponse(
            source,
            items.Select((x, i) => new AcceptedItem(x.Index, stored[i].Id, x.Item.ExternalId, stored[i].IsNew ? "created" : "already_stored")).ToList(),
            errors.Select(e => new RejectedItem(e.Index, e.Field, e.Rule, e.Message)).ToList()));
    }

    private static string? Authenticate(WebhookSourceOptions source, HttpRequest request, byte[] body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!source.HasCredentials)
        {
            return "source not configured";
        }

        if (request.Headers.TryGetValue(WebhookSignature.ApiKeyHeader, out var apiKey) && !string.IsNullOrEmpty(source.ApiKey))
        {
            return WebhookSignature.ApiKeyMatches(source, apiKey.ToString()) ? null : "bad api key";
        }

        var check = WebhookSignature.Verify(source,
            request.Headers[WebhookSignature.TimestampHeader].FirstOrDefault(),
            request.Headers[WebhookSignature.SignatureHeader].FirstOrDefault(),
            body, now, tolerance);
        return check == SignatureCheck.Valid ? null : check.ToString().ToLowerInvariant();
    }

    /// <summary>What PostgreSQL cannot store: a NUL character (jsonb and text refuse \u0000).</summary>
    private static ItemError? StorageRule(IndexedItem indexed)
    {
        var item = indexed.Item;
        if (item.RawJson.Contains("\\u0000", StringComparison.Ordinal)
            || new[] { item.Text, item.Title, item.Author, item.Url, item.Language, item.ExternalId }.Any(s => s?.Contains('\0', StringComparison.Ordinal) == true))
        {
            return new ItemError(indexed.Index, "item", "nul_character", "The item contains a NUL character (\\u0000), which cannot be stored.");
        }

        return null;
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType.Value ?? "";
        var charset = media.Charset.Value;
        return (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var n ? (int)n : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException("body too large");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult TooLarge(WebhookOptions options) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large",
            $"The body is larger than {options.MaxBodyBytes} bytes (Webhooks:MaxBodyBytes). Split the batch.", "size");

    private static IResult Problem(int status, string title, string detail, string rule, IReadOnlyList<ItemError>? errors = null) =>
        Results.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            type: $"urn:marketpulse:problem:{rule}",
            extensions: errors is null ? null : new Dictionary<string, object?>
            {
                ["errors"] = errors.Select(e => new RejectedItem(e.Index < 0 ? null : e.Index, e.Field, e.Rule, e.Message)).ToList(),
            });
}
