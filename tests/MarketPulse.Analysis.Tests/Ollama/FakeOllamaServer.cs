using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MarketPulse.Analysis.Ollama.Prompts;
using MarketPulse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MarketPulse.Analysis.Tests.Ollama;

/// <summary>One request the stand-in received, already checked to be a well-formed Ollama chat request.</summary>
internal sealed record FakeCall(int Number, JsonElement Body, string ItemText, string ItemSource)
{
    public string Model => Body.GetProperty("model").GetString()!;

    public JsonElement[] Messages => [.. Body.GetProperty("messages").EnumerateArray()];
}

/// <summary>What the stand-in answers, once <see cref="Hold"/> (if any) completes.</summary>
internal sealed record FakeReply(int Status, string Body, Task? Hold = null)
{
    public static FakeReply Content(string content, string model = "granite3.3:8b", string doneReason = "stop") =>
        new(200, new JsonObject
        {
            ["model"] = model,
            ["created_at"] = "2025-06-01T10:00:00.000000Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["done_reason"] = doneReason,
            ["done"] = true,
            ["total_duration"] = 812_000_000,
            ["load_duration"] = 9_000_000,
            ["prompt_eval_count"] = 412,
            ["prompt_eval_duration"] = 300_000_000,
            ["eval_count"] = 58,
            ["eval_duration"] = 500_000_000,
        }.ToJsonString());

    public static FakeReply Error(int status, string message) =>
        new(status, new JsonObject { ["error"] = message }.ToJsonString());

    /// <summary>Answers only once <paramref name="signal"/> completes (or not at all if the client gives up first).</summary>
    public FakeReply Until(Task signal) => this with { Hold = signal };

    /// <summary>Never answers: the client's timeout or cancellation ends the request.</summary>
    public FakeReply Never() => Until(new TaskCompletionSource().Task);
}

/// <summary>Valid and invalid answer contents, as the model would write them.</summary>
internal static class Answers
{
    public static string Valid(string label = "Bullish", double score = 0.7, double confidence = 0.85, string assetClass = "Equity") =>
        new JsonObject
        {
            ["label"] = label,
            ["score"] = score,
            ["confidence"] = confidence,
            ["asset_class"] = assetClass,
            ["entities"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "Company",
                    ["text"] = "Reliance Industries",
                    ["symbol"] = "RELIANCE",
                    ["exchange"] = "NSE",
                    ["sentiment"] = label,
                },
                new JsonObject
                {
                    ["type"] = "Index",
                    ["text"] = "Nifty",
                    ["symbol"] = "NIFTY 50",
                    ["exchange"] = null,
                    ["sentiment"] = null,
                },
            },
        }.ToJsonString();
}

/// <summary>
/// A real HTTP server on 127.0.0.1 that stands in for Ollama, which cannot run here. It rejects requests that
/// Ollama would reject or that break our contract (HTTP 400 with Ollama's error shape) and records the rest,
/// so tests can check what the client sent.
/// </summary>
internal sealed class FakeOllamaServer : IAsyncDisposable
{
    private readonly Func<FakeCall, FakeReply> _respond;
    private readonly List<FakeCall> _calls = [];
    private readonly Lock _gate = new();
    private int _inFlight;

    private LoopbackServer _server = null!;

    private FakeOllamaServer(Func<FakeCall, FakeReply> respond)
    {
        _respond = respond;
    }

    public Uri Endpoint { get; private set; } = null!;

    public int MaxInFlight { get; private set; }

    public IReadOnlyList<FakeCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls.OrderBy(c => c.Number)];
            }
        }
    }

    public static async Task<FakeOllamaServer> StartAsync(Func<FakeCall, FakeReply> respond)
    {
        var server = new FakeOllamaServer(respond);
        server._server = await LoopbackServer.StartAsync(app => app.MapPost("/api/chat", server.HandleAsync));
        server.Endpoint = new Uri(server._server.Address);
        return server;
    }

    /// <summary>A loopback address where nothing listens: connections are refused.</summary>
    public static Uri RefusingEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            lock (_gate)
            {
                MaxInFlight = Math.Max(MaxInFlight, inFlight);
            }

            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            var body = document.RootElement.Clone();
            var problem = Check(body, out var itemText, out var itemSource);
            FakeReply reply;
            if (problem is not null)
            {
                reply = FakeReply.Error(400, problem);
            }
            else
            {
                FakeCall call;
                lock (_gate)
                {
                    call = new FakeCall(_calls.Count + 1, body, itemText!, itemSource!);
                    _calls.Add(call);
                }

                reply = _respond(call);
            }

            if (reply.Hold is { } hold)
            {
                await hold.WaitAsync(context.RequestAborted);
            }

            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout); nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // The contract: non-streaming, schema-constrained, deterministic, the v1 system prompt verbatim,
    // and the item only as JSON inside the data block of the first user message.
    private static string? Check(JsonElement body, out string? itemText, out string? itemSource)
    {
        itemText = null;
        itemSource = null;
        if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 })
        {
            return "model is required";
        }

        if (!body.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.False)
        {
            return "test stand-in only answers stream:false";
        }

        if (!body.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Object)
        {
            return "format must be a JSON schema object";
        }

        if (!body.TryGetProperty("options", out var options) || !options.TryGetProperty("temperature", out _))
        {
            return "options.temperature must be set";
        }

        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() < 2)
        {
            return "messages must hold the system and user messages";
        }

        var system = messages[0];
        if (system.GetProperty("role").GetString() != "system" || system.GetProperty("content").GetString() != AnalysisPromptV2.System)
        {
            return "first message must be the v1 system prompt, unchanged";
        }

        var user = messages[1];
        if (user.GetProperty("role").GetString() != "user")
        {
            return "second message must be the user message";
        }

        var content = user.GetProperty("content").GetString()!;
        var prefix = AnalysisPromptV2.Instruction + "\n" + AnalysisPromptV2.DataOpen + "\n";
        var suffix = "\n" + AnalysisPromptV2.DataClose;
        if (!content.StartsWith(prefix, StringComparison.Ordinal) || !content.EndsWith(suffix, StringComparison.Ordinal))
        {
            return "user message must be the instruction followed by one data block";
        }

        var data = content[prefix.Length..^suffix.Length];
        if (data.Contains('<', StringComparison.Ordinal) || data.Contains('>', StringComparison.Ordinal))
        {
            return "data block must not contain raw angle brackets";
        }

        using var item = JsonDocument.Parse(data);
        itemText = item.RootElement.GetProperty("text").GetString();
        itemSource = item.RootElement.GetProperty("source").GetString();
        return null;
    }
}

/// <summary>A clock the test moves by hand; timers still run on real time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2025, 6, 1, 9, 15, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
