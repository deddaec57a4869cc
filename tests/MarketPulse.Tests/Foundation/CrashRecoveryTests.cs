using System.Net;
using System.Net.Sockets;
using System.Text;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Ingestion;
using MarketPulse.Webhooks;

namespace MarketPulse.Tests.Foundation;

/// <summary>
/// The one-machine mode (<c>serve</c>, in-process broker) killed with SIGKILL after its items were published but
/// before any was analysed, then started again: every accepted item gets an outcome with no manual step.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class CrashRecoveryTests
{
    private const int Items = 20;

    [Fact]
    public async Task Items_published_to_the_in_process_broker_but_not_analysed_get_an_outcome_after_sigkill_and_restart()
    {
        await using var databases = await TestDatabases.CreateAsync();
        var secret = IngestHarness.NewSecret("news");
        var environment = Enum.GetValues<DatabaseKind>()
            .Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings__{kind}", databases[kind]))
            .Append(new("Redis__Configuration", TestStack.RedisConfiguration))
            .Append(new("Redis__KeyPrefix", TestStack.UniqueName("mpt")))
            .Append(new("Webhooks__Sources__news__Secret", secret))
            // Distinct items only: a duplicate would get its outcome without the analyser, before the kill.
            .Append(new("Dedup__Threshold", "1.0"))
            .ToList();

        // An "Ollama" that accepts connections and never answers: the first process consumes every item and
        // finishes none, deterministically, however slow the machine is.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var accepting = AcceptForeverAsync(silent, held);
        var ollama = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        using (var first = MarketPulseProcess.Start(["serve", "--urls", "http://127.0.0.1:0"],
            [.. environment, new("Analysis__Analyzer", "ollama"), new("Ollama__Endpoint", ollama), new("Ollama__Fallback", "Wait"), new("Ollama__RequestTimeout", "00:30:00")]))
        {
            var baseAddress = await BaseAddressAsync(first);
            using var client = new HttpClient { BaseAddress = baseAddress };
            for (var i = 0; i < Items; i++)
            {
                var body = Encoding.UTF8.GetBytes(NewsPayloads.Single(NewsPayloads.Item(title: $"Item {Guid.NewGuid():N} of the crash test", summary: Guid.NewGuid().ToString("N"))));
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/news") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                WebhookSignature.AddHeaders(request, secret, body, DateTimeOffset.UtcNow);
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }

            // Published (the broker acknowledged, the outbox rows are gone) and handed to the analyser.
            await Poll.UntilAsync(async () => (Outbox: await databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM outbox"), Asked: Count(held)),
                s => s.Outbox == 0 && s.Asked > 0);
            Assert.Equal(0L, await databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM outbox"));
            var early = await databases.ScalarAsync<string>(DatabaseKind.Analytics, """
                SELECT format('%s results, %s duplicates, %s failures', (SELECT count(*) FROM analysis_results), (SELECT count(*) FROM duplicates), (SELECT count(*) FROM analysis_failures))
                """);
            Assert.True(await OutcomesAsync(databases) == 0, $"outcomes before the kill: {early}\n{first.Describe()}");

            await first.KillAsync();
        }

        using var second = MarketPulseProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], environment);
        var outcomes = await Poll.UntilAsync(() => OutcomesAsync(databases), n => n == Items || second.HasExited, TimeSpan.FromMinutes(3));
        Assert.True(outcomes == Items, $"{outcomes} of {Items} items have an outcome\n{second.Describe()}");
        Assert.Equal((long)Items, await databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM raw_items"));

        await second.TerminateAsync();
        Assert.True(await second.WaitForExitAsync() == 0, second.Describe());
        silent.Stop();
        await accepting;
        lock (held)
        {
            held.ForEach(s => s.Dispose());
        }
    }

    private static async Task<long> OutcomesAsync(TestDatabases databases) =>
        await databases.ScalarAsync<long>(DatabaseKind.Analytics, """
            SELECT count(*) FROM (SELECT item_id FROM analysis_results UNION SELECT item_id FROM duplicates UNION SELECT item_id FROM analysis_failures) o
            """);

    private static int Count(List<Socket> held)
    {
        lock (held)
        {
            return held.Count;
        }
    }

    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> held)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                lock (held)
                {
                    held.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The listener stopped.
        }
    }

    private static async Task<Uri> BaseAddressAsync(MarketPulseProcess serve)
    {
        const string marker = "  health:    ";
        var lines = await Poll.UntilAsync(() => Task.FromResult(serve.StandardOutput), l => l.Any(x => x.StartsWith(marker, StringComparison.Ordinal)) || serve.HasExited);
        var health = lines.FirstOrDefault(x => x.StartsWith(marker, StringComparison.Ordinal));
        Assert.True(health is not null, "serve did not print its address\n" + serve.Describe());
        return new Uri(new Uri(health[marker.Length..]), "/");
    }
}
