using System.Text.RegularExpressions;
using MarketPulse.Hosting;
using MarketPulse.Messaging;
using MarketPulse.Storage;
using MarketPulse.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MarketPulse.Tests.Deployment;

/// <summary>compose.yaml, .env.example and deploy/ agree with the code: settings, topics, databases, ports, volumes, start order.</summary>
public sealed partial class ComposeFileTests
{
    private static readonly ComposeFile Compose = ComposeFile.Instance;

    [Fact]
    public void Every_environment_variable_of_a_MarketPulse_service_names_a_setting()
    {
        var services = Compose.MarketPulseServices.ToList();
        Assert.Equal(["analyze", "ingest", "migrate"], services.Select(s => s.Key).Order(StringComparer.Ordinal));
        var unknown = services
            .SelectMany(s => ComposeFile.Environment(s.Value).Keys.Select(name => (Service: s.Key, Name: name)))
            .Where(v => !SettingNames.Instance.IsEnvironmentVariable(v.Name))
            .Select(v => $"{v.Service}: {v.Name}")
            .ToList();
        Assert.True(unknown.Count == 0, "not a MarketPulse setting: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_role_is_a_command_the_executable_runs()
    {
        foreach (var (name, service) in Compose.MarketPulseServices)
        {
            var command = ComposeFile.List(service["command"]);
            if (command[0] == "migrate")
            {
                Assert.Single(command);
                continue;
            }

            Assert.Equal("serve", command[0]);
            Assert.Equal("--target", command[1]);
            Assert.True(HostTargets.TryParse(command[2], out var target), $"{name}: unknown target {command[2]}");
            Assert.Equal(name, target.Name());
        }
    }

    [Fact]
    public void Env_template_declares_every_compose_variable_uses_every_entry_and_explains_each()
    {
        var template = EnvTemplate.Instance;
        var composeText = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "compose.yaml"));
        var used = ComposeFile.Variables(composeText).ToHashSet(StringComparer.Ordinal);

        var undeclared = used.Where(v => !template.Values.ContainsKey(v)).ToList();
        Assert.True(undeclared.Count == 0, "compose.yaml uses, .env.example lacks: " + string.Join(", ", undeclared));
        var unused = template.Values.Keys.Where(k => !used.Contains(k) && k != "COMPOSE_PROFILES" && !k.Contains("__", StringComparison.Ordinal)).ToList();
        Assert.True(unused.Count == 0, ".env.example has, compose.yaml never uses: " + string.Join(", ", unused));
        var unknown = template.Values.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) && !SettingNames.Instance.IsEnvironmentVariable(k)).ToList();
        Assert.True(unknown.Count == 0, "not a MarketPulse setting: " + string.Join(", ", unknown));
        Assert.Empty(template.Unexplained);
        Assert.Equal("app", template.Values["COMPOSE_PROFILES"]);
    }

    [Fact]
    public void Init_step_creates_the_topics_of_the_service_with_their_partition_counts()
    {
        var script = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "deploy", "kafka", "create-topics.sh"));
        var created = CreateTopic().Matches(script).ToDictionary(m => m.Groups["name"].Value, m => int.Parse(m.Groups["partitions"].Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);

        var kafka = AppSettings().GetSection(KafkaOptions.Section).Get<KafkaOptions>()!;
        foreach (var topic in kafka.GetTopics())
        {
            Assert.True(created.TryGetValue(topic.Name, out var partitions), $"{topic.Name} is not created by deploy/kafka/create-topics.sh");
            Assert.Equal(topic.Partitions, partitions);
        }

        var broker = ComposeFile.Environment(Compose.Services["kafka"]);
        Assert.Equal("false", broker["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]);
        Assert.All(Compose.MarketPulseServices, s => Assert.Equal("false", ComposeFile.Environment(s.Value)["Kafka__CreateTopics"]));
        Assert.All(Compose.MarketPulseServices, s => Assert.Equal(ComposeFile.Environment(Compose.Services["kafka-init"])["KAFKA_BOOTSTRAP"], ComposeFile.Environment(s.Value)["Kafka__BootstrapServers"]));
    }

    [Fact]
    public void Connection_strings_name_the_databases_the_init_script_creates_with_synchronous_commits()
    {
        var script = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "deploy", "postgres", "01-databases.sql"));
        var created = CreateDatabase().Matches(script).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        foreach (var (name, service) in Compose.MarketPulseServices)
        {
            var environment = ComposeFile.Environment(service);
            foreach (var kind in Enum.GetValues<DatabaseKind>())
            {
                Assert.True(environment.TryGetValue($"ConnectionStrings__{kind}", out var value), $"{name} has no ConnectionStrings__{kind}");
                var builder = new NpgsqlConnectionStringBuilder(ComposeFile.WithDefaults(value));
                Assert.Contains(builder.Database!, created);
                Assert.Equal("postgres", builder.Host);
                Assert.Equal("-c synchronous_commit=on", builder.Options);
            }
        }

        Assert.Contains("synchronous_commit=on", ComposeFile.List(Compose.Services["postgres"]["command"]));
    }

    [Fact]
    public void Ports_agree_between_the_image_the_settings_and_compose()
    {
        var image = DockerfileInstructions.Instance;
        var port = int.Parse(Assert.Single(image.Runtime("EXPOSE")), System.Globalization.CultureInfo.InvariantCulture);

        var production = new ConfigurationBuilder().AddJsonFile(SettingsTemplateTests.ProductionTemplate).Build();
        var urls = production["Urls"]!.Split(';');
        Assert.All(urls, url => Assert.EndsWith($":{port}", url, StringComparison.Ordinal));
        Assert.Contains($"\"--url\", \"http://127.0.0.1:{port}\"", image.Runtime("HEALTHCHECK").Single(), StringComparison.Ordinal);

        foreach (var (name, service) in Compose.MarketPulseServices.Where(s => s.Key != "migrate"))
        {
            var containerPorts = ComposeFile.List(service.GetValueOrDefault("ports")).Select(p => p.Split(':')[^1])
                .Concat(ComposeFile.List(service.GetValueOrDefault("expose")));
            Assert.True(containerPorts.All(p => p == port.ToString(System.Globalization.CultureInfo.InvariantCulture)) && containerPorts.Any(), $"{name} must publish or expose {port} only");
        }

        // A published host port would make `docker compose up --scale analyze=3` fail on the second container.
        Assert.False(Compose.Services["analyze"].ContainsKey("ports"));
        Assert.False(Compose.Services["analyze"].ContainsKey("container_name"));
    }

    [Fact]
    public void Volumes_are_declared_used_and_mounted_where_the_service_and_grafana_look()
    {
        var declared = ComposeFile.Map(Compose.Root["volumes"]).Keys.Cast<string>().ToHashSet(StringComparer.Ordinal);
        var mounts = Compose.Services.SelectMany(s => ComposeFile.List(s.Value.GetValueOrDefault("volumes")).Select(v => (Service: s.Key, Parts: ComposeFile.WithDefaults(v).Split(':')))).ToList();

        var named = mounts.Where(m => !m.Parts[0].StartsWith('.') && !m.Parts[0].StartsWith('/')).Select(m => m.Parts[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(declared.Order(StringComparer.Ordinal), named.Order(StringComparer.Ordinal));

        foreach (var (service, parts) in mounts.Where(m => m.Parts[0].StartsWith("./", StringComparison.Ordinal) && m.Parts[1] != "/data/securities"))
        {
            var source = Path.Combine(TestStack.RepositoryRoot, parts[0][2..]);
            Assert.True(File.Exists(source) || Directory.Exists(source), $"{service}: {parts[0]} does not exist");
        }

        // The securities lists are data, never committed: a read-only mount where the image's setting points.
        var securities = Assert.Single(mounts, m => m.Parts[1] == "/data/securities");
        Assert.Equal("analyze", securities.Service);
        Assert.Equal("ro", securities.Parts[2]);
        Assert.Equal(securities.Parts[1], DockerfileInstructions.Instance.RuntimeEnvironment()["Analysis__SecuritiesFolder"]);
        Assert.Contains("/data/", File.ReadAllLines(Path.Combine(TestStack.RepositoryRoot, ".gitignore")));

        var provider = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "grafana", "provisioning", "dashboards", "marketpulse.yaml"));
        var dashboards = Assert.Single(mounts, m => m.Parts[0] == "./grafana/dashboards");
        Assert.Contains($"path: {dashboards.Parts[1]}", provider, StringComparison.Ordinal);

        var datasource = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "grafana", "provisioning", "datasources", "marketpulse.yaml"));
        var grafana = ComposeFile.Environment(Compose.Services["grafana"]);
        Assert.All(ComposeFile.Variables(datasource.Split('\n').Where(l => !l.TrimStart().StartsWith('#')).Aggregate("", (a, l) => a + l + "\n")),
            v => Assert.True(grafana.ContainsKey(v), $"grafana lacks {v}, which its datasource reads"));
    }

    [Fact]
    public void Every_dependency_waits_for_a_health_check_or_a_finished_one_shot()
    {
        var services = Compose.Services;
        foreach (var (name, service) in services)
        {
            foreach (var (dependency, value) in ComposeFile.Map(service.GetValueOrDefault("depends_on")))
            {
                var target = services[(string)dependency];
                var condition = ComposeFile.Map(value)["condition"];
                switch (condition)
                {
                    case "service_healthy":
                        Assert.True(target.ContainsKey("healthcheck") || target.ContainsKey("build"), $"{name} waits for {dependency} to be healthy, which has no health check");
                        break;
                    case "service_completed_successfully":
                        Assert.True(target.GetValueOrDefault("restart") as string == "no", $"{name} waits for {dependency} to finish, which is not a one-shot");
                        break;
                    default:
                        Assert.Fail($"{name} -> {dependency}: condition {condition} does not wait for readiness");
                        break;
                }
            }
        }

        foreach (var role in new[] { "ingest", "analyze" })
        {
            var dependsOn = ComposeFile.Map(services[role]["depends_on"]).Keys.Cast<string>().ToList();
            Assert.Contains("migrate", dependsOn);
            Assert.Contains("kafka-init", dependsOn);
        }

        Assert.Contains("ollama-pull", ComposeFile.Map(services["analyze"]["depends_on"]).Keys.Cast<string>());
        Assert.Contains("pull", ComposeFile.List(services["ollama-pull"]["entrypoint"]));
        Assert.Equal(ComposeFile.Environment(services["analyze"])["Ollama__Model"], ComposeFile.List(services["ollama-pull"]["entrypoint"])[^1]);
    }

    internal static IConfiguration AppSettings() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(TestStack.RepositoryRoot, "src", "MarketPulse", "appsettings.json")).Build();

    [GeneratedRegex(@"(?m)^create\s+(?<name>[A-Za-z0-9._-]+)\s+(?<partitions>\d+)\s*$")]
    private static partial Regex CreateTopic();

    [GeneratedRegex(@"(?m)^CREATE DATABASE (\w+);")]
    private static partial Regex CreateDatabase();
}
