using System.Text;
using MarketPulse.Webhooks;

namespace MarketPulse.Testing;

/// <summary>Signed webhook posts for tests: every source shares one test secret.</summary>
public static class TestWebhooks
{
    public const string Secret = "test-secret-0123456789abcdef";

    public static IEnumerable<KeyValuePair<string, string?>> SecretSettings() =>
        SourceNormalizers.All.Keys.Select(source => new KeyValuePair<string, string?>($"Webhooks:Sources:{source}:Secret", Secret));

    public static async Task<HttpResponseMessage> PostSignedAsync(this TestApp app, string source, string json, string secret = Secret)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{source}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        WebhookSignature.AddHeaders(request, secret, body, DateTimeOffset.UtcNow);
        return await app.Client.SendAsync(request);
    }
}
