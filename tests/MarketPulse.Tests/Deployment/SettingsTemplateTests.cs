using MarketPulse.Hosting;
using MarketPulse.Storage;
using MarketPulse.Testing;
using MarketPulse.Tests.Foundation;
using Microsoft.Extensions.Configuration;

namespace MarketPulse.Tests.Deployment;

/// <summary>
/// The Development and Production templates: they name real settings, the Production one reaches only the image
/// (never the build output that ./run.sh and the tests use), and its defaults refuse to start half configured.
/// </summary>
public sealed class SettingsTemplateTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    public static string ProductionTemplate { get; } = Path.Combine(TestStack.RepositoryRoot, "deploy", "appsettings.Production.json");

    private static string DevelopmentTemplate { get; } = Path.Combine(TestStack.RepositoryRoot, "src", "MarketPulse", "appsettings.Development.json");

    [Fact]
    public void Templates_name_only_real_settings()
    {
        foreach (var file in new[] { ProductionTemplate, DevelopmentTemplate })
        {
            var keys = new ConfigurationBuilder().AddJsonFile(file).Build().AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key).ToList();
            Assert.NotEmpty(keys);
            Assert.All(keys, key => Assert.True(SettingNames.Instance.Exists(key), $"{Path.GetFileName(file)}: {key} is not a setting"));
        }
    }

    [Fact]
    public void Production_template_is_not_in_the_build_output_so_local_runs_never_load_it()
    {
        // With no DOTNET_ENVIRONMENT the host's environment is Production: a Production file next to the dll
        // would switch ./run.sh, ./marketpulse and every test to a real Kafka and a required key.
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.Production.json")));
        Assert.False(File.Exists(Path.Combine(TestStack.RepositoryRoot, "src", "MarketPulse", "appsettings.Production.json")));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
    }

    [Fact]
    public void Production_template_sets_the_production_defaults()
    {
        var production = new ConfigurationBuilder().AddJsonFile(ProductionTemplate).Build();
        Assert.False(string.IsNullOrEmpty(production["Kafka:BootstrapServers"]));
        Assert.Equal("true", production["Logging:Database:Enabled"], ignoreCase: true);
        Assert.Equal("false", production["Database:MigrateOnStart"], ignoreCase: true);
        Assert.Null(production["Api:Key"]);
    }

    [Fact]
    public async Task Production_defaults_refuse_to_start_without_an_api_key()
    {
        var failure = await StartFailsAsync([]);

        Assert.Equal("Api:Key", failure.Setting);
        Assert.Contains("http://+:8080", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_defaults_refuse_to_start_without_a_real_kafka()
    {
        var failure = await StartFailsAsync([new("Api:Key", Guid.NewGuid().ToString("N"))]);

        Assert.Equal("Kafka:BootstrapServers", failure.Setting);
        Assert.Contains("kafka:9092", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The real composition of the ingest role with the Production template over appsettings.json.</summary>
    private async Task<StartupException> StartFailsAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var app = MarketPulseApp.Build(HostTarget.Ingest, [], builder =>
        {
            builder.Configuration.AddJsonFile(ProductionTemplate);
            builder.Configuration.AddInMemoryCollection(fixture.Environment().Select(kv => new KeyValuePair<string, string?>(SettingNames.KeyOf(kv.Key), kv.Value)));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = TestStack.RedisConfiguration,
                ["Logging:LogLevel:Default"] = "None",
            });
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await using (app)
        {
            return await Assert.ThrowsAsync<StartupException>(() => app.StartAsync());
        }
    }
}
