using Confluent.Kafka;
using MarketPulse.Storage;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Foundation;

/// <summary>The <c>migrate</c>, <c>broker</c>, <c>serve</c> and <c>healthcheck</c> commands, the help and the usage errors of the real CLI.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class CliTests
{
    [Fact]
    public async Task Migrate_applies_scripts_to_each_database_then_reports_up_to_date()
    {
        await using var databases = await TestDatabases.CreateAsync(migrate: false);
        var environment = Enum.GetValues<DatabaseKind>()
            .Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings__{kind}", databases[kind]))
            .ToList();

        using var first = await MarketPulseProcess.RunAsync(["migrate"], environment);
        Assert.True(await first.WaitForExitAsync() == 0, first.Describe());
        foreach (var kind in Enum.GetValues<DatabaseKind>())
        {
            Assert.Contains(first.StandardOutput, l => l.StartsWith($"{kind}: applied 0001_", StringComparison.Ordinal) && l.EndsWith(".sql", StringComparison.Ordinal));
        }

        using var second = await MarketPulseProcess.RunAsync(["migrate"], environment);
        Assert.True(await second.WaitForExitAsync() == 0, second.Describe());
        Assert.Equal(
            Enum.GetValues<DatabaseKind>().Select(kind => $"{kind}: up to date"),
            second.StandardOutput.Where(l => l.Length > 0));
    }

    [Fact]
    public async Task Migrate_with_a_wrong_password_names_the_connection_string()
    {
        await using var databases = await TestDatabases.CreateAsync(migrate: false);
        var environment = Enum.GetValues<DatabaseKind>()
            .Select(kind => new KeyValuePair<string, string?>(
                $"ConnectionStrings__{kind}",
                kind == DatabaseKind.Analytics ? new Npgsql.NpgsqlConnectionStringBuilder(databases[kind]) { Password = "not-the-password" }.ConnectionString : databases[kind]))
            .ToList();

        using var process = await MarketPulseProcess.RunAsync(["migrate"], environment);

        Assert.True(await process.WaitForExitAsync() == 1, process.Describe());
        var line = Assert.Single(process.StandardError, l => l.Length > 0);
        Assert.StartsWith("marketpulse: ConnectionStrings:Analytics:", line, StringComparison.Ordinal);
        Assert.Contains("password", line, StringComparison.Ordinal);
        Assert.Contains(process.StandardOutput, l => l.StartsWith("Raw: applied ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_writes_an_address_that_clients_use_and_stops_on_ctrl_c()
    {
        var addressFile = Path.Combine(Path.GetTempPath(), TestStack.UniqueName("mp-broker") + ".txt");
        using var broker = MarketPulseProcess.Start(["broker", "--address-file", addressFile], []);
        try
        {
            var address = await Poll.UntilAsync(
                () => Task.FromResult(File.Exists(addressFile) ? File.ReadAllText(addressFile) : ""),
                text => text.EndsWith('\n') || broker.HasExited);
            Assert.True(address.EndsWith('\n'), "no address was written\n" + broker.Describe());
            var bootstrap = address.Trim();

            const string topic = "sentiment_analysis_topic";
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                Assert.Equal(6, Assert.Single(admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics).Partitions.Count);
            }

            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true }).Build())
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = "NIFTY", Value = "hello broker" });
            }

            using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "found-broker",
                AutoOffsetReset = AutoOffsetReset.Earliest,
            }).Build())
            {
                consumer.Subscribe(topic);
                var result = await Poll.UntilAsync(() => Task.FromResult(consumer.Consume(TimeSpan.FromMilliseconds(500))), r => r is not null);
                Assert.Equal("hello broker", result?.Message.Value);
                consumer.Close();
            }

            await broker.InterruptAsync();
            Assert.True(await broker.WaitForExitAsync() == 0, broker.Describe());
            Assert.Contains(broker.StandardOutput, l => l.Contains(bootstrap, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(addressFile);
        }
    }

    [Fact]
    public async Task Serve_migrates_fresh_databases_answers_ready_and_stops_on_ctrl_c()
    {
        await using var databases = await TestDatabases.CreateAsync(migrate: false);
        var environment = Enum.GetValues<DatabaseKind>()
            .Select(kind => new KeyValuePair<string, string?>($"ConnectionStrings__{kind}", databases[kind]))
            .Append(new("Redis__Configuration", TestStack.RedisConfiguration))
            .Append(new("Redis__KeyPrefix", TestStack.UniqueName("mpt")))
            .Append(new("Database__MigrateOnStart", "true"))
            .ToList();
        using var serve = MarketPulseProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], environment);

        const string marker = "  health:    ";
        var lines = await Poll.UntilAsync(() => Task.FromResult(serve.StandardOutput), l => l.Any(x => x.StartsWith(marker, StringComparison.Ordinal)) || serve.HasExited);
        var health = lines.FirstOrDefault(x => x.StartsWith(marker, StringComparison.Ordinal));
        Assert.True(health is not null, "serve did not print its address\n" + serve.Describe());

        using (var client = new HttpClient())
        {
            using var response = await client.GetAsync(new Uri(health[marker.Length..]));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var address = health[marker.Length..^"/health/ready".Length];
        using (var healthcheck = await MarketPulseProcess.RunAsync(["healthcheck", "--url", address], []))
        {
            Assert.True(await healthcheck.WaitForExitAsync() == 0, healthcheck.Describe());
        }

        Assert.Equal(1L, await databases.ScalarAsync<long>(DatabaseKind.Raw, "SELECT count(*) FROM pg_class WHERE relname = 'raw_items'"));
        await serve.InterruptAsync();
        Assert.True(await serve.WaitForExitAsync() == 0, serve.Describe());
        Assert.DoesNotContain(serve.StandardError, l => l.StartsWith("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_command_exits_2_with_a_pointer_to_help_on_standard_error()
    {
        using var process = await MarketPulseProcess.RunAsync(["frobnicate"], []);

        Assert.True(await process.WaitForExitAsync() == 2, process.Describe());
        Assert.Equal(["marketpulse: unknown command 'frobnicate'.", "Run 'marketpulse --help' for usage."], process.StandardError.Where(l => l.Length > 0));
        Assert.DoesNotContain(process.StandardOutput, l => l.Length > 0);
    }

    [Fact]
    public async Task Help_lists_every_service_command_with_one_line_each_and_no_tools()
    {
        using var process = await MarketPulseProcess.RunAsync(["--help"], []);

        Assert.True(await process.WaitForExitAsync() == 0, process.Describe());
        var commands = process.StandardOutput.SkipWhile(l => l != "Commands:").Skip(1).TakeWhile(l => l.Length > 0)
            .Select(l => l.Trim().Split(' ')[0]);
        Assert.Equal(["serve", "migrate", "broker", "sign", "analyze", "replay", "healthcheck"], commands);
    }

    [Theory]
    [InlineData("serve", "--target")]
    [InlineData("replay", "--reanalyze")]
    [InlineData("sign", "--source")]
    [InlineData("broker", "--address-file")]
    [InlineData("healthcheck", "--url")]
    public async Task Each_command_has_help_with_its_options(string command, string option)
    {
        using var process = await MarketPulseProcess.RunAsync([command, "--help"], []);

        Assert.True(await process.WaitForExitAsync() == 0, process.Describe());
        Assert.Contains(process.StandardOutput, l => l.Trim() == $"marketpulse {command} [options]");
        Assert.Contains(process.StandardOutput, l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "sign", "--source", "news" }, "marketpulse sign: Option '--file' is required.")]
    [InlineData(new[] { "serve", "--target", "everything" }, "marketpulse serve: --target takes all, ingest or analyze, not 'everything'.")]
    [InlineData(new[] { "migrate", "--force" }, "marketpulse migrate: Unrecognized command or argument '--force'.")]
    [InlineData(new[] { "healthcheck", "--timeout", "0" }, "marketpulse healthcheck: --timeout takes a whole number from 1 to 300, not '0'.")]
    public async Task Bad_arguments_exit_2_with_one_clear_line_and_no_stack_trace(string[] args, string error)
    {
        using var process = await MarketPulseProcess.RunAsync(args, []);

        Assert.True(await process.WaitForExitAsync() == 2, process.Describe());
        Assert.Equal(error, process.StandardError[0]);
        Assert.DoesNotContain(process.StandardError, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Healthcheck_of_an_address_where_nothing_listens_exits_1_naming_it()
    {
        // A port just released by a listener: nothing answers there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // The address comes from the configured Urls; a --Section:Key=value argument is configuration, not a usage error.
        using var process = await MarketPulseProcess.RunAsync(["healthcheck", "--Logging:LogLevel:Default=Warning"], [new("Urls", $"http://+:{port}")]);

        Assert.True(await process.WaitForExitAsync() == 1, process.Describe());
        var line = Assert.Single(process.StandardError, l => l.Length > 0);
        Assert.StartsWith($"marketpulse healthcheck: not ready: cannot reach http://127.0.0.1:{port}/health/ready", line, StringComparison.Ordinal);
    }
}
