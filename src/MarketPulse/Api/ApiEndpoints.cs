using System.Text.Json;
using MarketPulse.Analysis;
using MarketPulse.Analysis.Ollama;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MarketPulse.Api;

/// <summary><c>POST /api/analyze</c> (a judgement, not stored) and <c>GET /api/items/{id}</c> (a stored item with every analysis).</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api").AddEndpointFilter(RequireKey).MapGet("/items/{id:guid}", GetItemAsync).WithName("get-item")
            .WithSummary("One item: the raw item as stored, its analysis, its duplicate link or its failure")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    public static IEndpointRouteBuilder MapAnalyzeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api").AddEndpointFilter(RequireKey).MapPost("/analyze", AnalyzeAsync).WithName("analyze").DisableAntiforgery()
            .WithSummary("Analyses one text with the configured analyser, without storing it")
            .Produces<AnalysisResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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
            return Results.Json(results[0], MessageJson.Options);
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

    // ProblemHttpResult, not NotFound<ProblemDetails>: only the former answers application/problem+json.
    private static async Task<Results<Ok<ItemDetails>, ProblemHttpResult>> GetItemAsync(Guid id, ItemStore items, CancellationToken cancellationToken) =>
        await items.FindAsync(id, cancellationToken) is { } item
            ? TypedResults.Ok(item)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No item has the id {id}.");

    internal static async ValueTask<object?> RequireKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!ApiKey.IsPresented(context.HttpContext))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: 401, title: "Unauthorized");
        }

        return await next(context);
    }
}
