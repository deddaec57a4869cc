using System.Collections.Concurrent;
using MarketPulse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MarketPulse.Tests.Alerting;

/// <summary>A real HTTP receiver of notifications on a free loopback port: records every request and answers as told.</summary>
internal sealed class AlertReceiver : IAsyncDisposable
{
    private LoopbackServer _server = null!;

    public sealed record Received(string Path, string? Timestamp, string? Signature, string? ContentType, byte[] Body);

    public string Address => _server.Address;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The status each request is answered with (after <see cref="Hold"/>, if set).</summary>
    public int Status { get; set; } = 200;

    /// <summary>While set and not completed, requests wait on it: a receiver that does not answer.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public string Url(string path) => $"{Address}/{path}";

    public Task<int> CountAsync(string path) => Task.FromResult(Requests.Count(r => r.Path == "/" + path));

    public static async Task<AlertReceiver> StartAsync()
    {
        var self = new AlertReceiver();
        self._server = await LoopbackServer.StartAsync(app => app.MapPost("/{name}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var request = context.Request;
            self.Requests.Enqueue(new Received(request.Path, request.Headers["X-MarketPulse-Timestamp"], request.Headers["X-MarketPulse-Signature"], request.ContentType, body.ToArray()));
            if (self.Hold is { } hold)
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            return Results.StatusCode(self.Status);
        }));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        await _server.DisposeAsync();
    }
}
