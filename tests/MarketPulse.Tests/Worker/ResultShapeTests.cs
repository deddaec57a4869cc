using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MarketPulse.Hosting;
using MarketPulse.Messaging.Contracts;
using MarketPulse.Testing;
using MarketPulse.Tests.Foundation;

namespace MarketPulse.Tests.Worker;

/// <summary>One result shape in every output: the analyze API and command, the stored item and aggregation_topic.</summary>
public sealed class ResultShapeTests
{
    [Fact]
    public async Task Analyze_api_analyze_command_stored_item_and_result_message_give_the_same_lower_case_result()
    {
        await using var setup = await WorkerSetup.CreateAsync(partitions: 1);
        var app = await setup.StartAsync(HostTarget.All);
        var posted = await app.PostSignedAsync("news", """
            {"title": "Infosys shares surge 6% after record quarterly profit; Wipro shares slump 8% on weak guidance",
             "url": "https://example.com/infosys-wipro", "published_at": "2026-11-29T09:00:00Z", "source": "Example Wire"}
            """);
        var id = (await WorkerSetup.JsonAsync(posted)).GetProperty("accepted")[0].GetProperty("id").GetGuid();
        await setup.WaitForCountAsync("SELECT count(*) FROM analysis_results WHERE item_id = $1", 1, id);

        var item = await WorkerSetup.JsonAsync(await app.Client.GetAsync($"/api/items/{id}"));
        var text = item.GetProperty("item").GetProperty("text").GetString()!;
        var stored = item.GetProperty("analyses")[0];
        var api = await WorkerSetup.JsonAsync(await app.Client.PostAsync(new Uri("/api/analyze", UriKind.Relative),
            JsonContent.Create(new { text, source = "news" })));
        var message = Assert.Single(setup.ReadTopic("Aggregation", 1));
        Assert.Equal((ResultMessage.MessageType, (int?)ResultMessage.MessageVersion), MessageHeaders.Read(message.Message.Headers));
        var published = JsonDocument.Parse(message.Message.Value).RootElement;

        using var cli = MarketPulseProcess.Start(["analyze"], []);
        await cli.WriteInputAndCloseAsync(JsonSerializer.Serialize(new { id = "1", text, source = "news" }) + "\n");
        Assert.True(await cli.WaitForExitAsync() == 0, cli.Describe());
        var command = JsonDocument.Parse(Assert.Single(cli.StandardOutput, l => l.StartsWith('{'))).RootElement;

        var entities = JsonNode.Parse(stored.GetProperty("entities").GetRawText())!;
        Assert.Contains(entities.AsArray(), e => e!["sentiment"] is not null);
        foreach (var (name, result) in new[] { ("api", api), ("command", command), ("message", published), ("stored", stored) })
        {
            var label = result.GetProperty("label").GetString()!;
            Assert.True(label is "bullish" or "bearish" or "neutral", $"{name}: label {label}");
            Assert.Equal(stored.GetProperty("label").GetString(), label);
            Assert.Equal(stored.GetProperty("assetClass").GetString(), result.GetProperty("assetClass").GetString());
            Assert.Equal(result.GetProperty("assetClass").GetString()!.ToLowerInvariant(), result.GetProperty("assetClass").GetString());
            Assert.True(JsonNode.DeepEquals(entities, JsonNode.Parse(result.GetProperty("entities").GetRawText())),
                $"{name}: entities {result.GetProperty("entities").GetRawText()} differ from the stored {entities.ToJsonString()}");
        }

        Assert.All(entities.AsArray(), e => Assert.Equal(e!["type"]!.GetValue<string>().ToLowerInvariant(), e["type"]!.GetValue<string>()));
    }
}
