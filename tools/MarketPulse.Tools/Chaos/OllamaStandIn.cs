using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MarketPulse.Tools.Chaos;

/// <summary>
/// The fault suite's stand-in for Ollama: <c>POST /api/chat</c> on a fixed port of 127.0.0.1, answering like Ollama
/// with a valid answer for our schema (the model itself cannot run here). It can answer 500 for a while, and stop
/// listening (connections refused) until it is started again on the same port.
/// </summary>
internal sealed class OllamaStandIn(int port) : IAsyncDisposable
{
    private WebApplication? _app;
    private volatile bool _failing;
    private long _answered;
    private long _refusedWith500;

    public Uri Endpoint { get; } = new($"http://127.0.0.1:{port}");

    public long Answered => Interlocked.Read(ref _answered);

    public long FailedWith500 => Interlocked.Read(ref _refusedWith500);

    /// <summary>Listens (again) and answers every request.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _failing = false;
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Endpoint.ToString());
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/api/chat", HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    /// <summary>Still listening, but every request gets 500 with Ollama's error body.</summary>
    public void FailWith500() => _failing = true;

    /// <summary>Stops listening: connections are refused.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task HandleAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        context.Response.ContentType = "application/json; charset=utf-8";
        if (_failing)
        {
            Interlocked.Increment(ref _refusedWith500);
            context.Response.StatusCode = (int)HttpStatusCode.InternalServerError;
            await context.Response.WriteAsync(new JsonObject { ["error"] = "chaos: the stand-in is failing" }.ToJsonString(), context.RequestAborted);
            return;
        }

        var model = request.RootElement.TryGetProperty("model", out var m) ? m.GetString() : "granite3.3:8b";
        var content = new JsonObject
        {
            ["label"] = "Neutral",
            ["score"] = 0.0,
            ["confidence"] = 0.6,
            ["asset_class"] = "Equity",
            ["entities"] = new JsonArray(),
        }.ToJsonString();
        Interlocked.Increment(ref _answered);
        await context.Response.WriteAsync(new JsonObject
        {
            ["model"] = model,
            ["created_at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["done_reason"] = "stop",
            ["done"] = true,
            ["prompt_eval_count"] = 400,
            ["eval_count"] = 40,
        }.ToJsonString(), context.RequestAborted);
    }
}
