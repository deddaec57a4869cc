using MarketPulse.Testing;

namespace MarketPulse.Tests.Deployment;

/// <summary>compose.yaml passes the offline validator with a filled-in .env, in both profiles; the validator really checks.</summary>
public sealed class ComposeValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mp-compose-").FullName;

    private static string ComposePath => Path.Combine(TestStack.RepositoryRoot, "compose.yaml");

    [Theory]
    [InlineData("app")]
    [InlineData("deps")]
    public async Task Compose_file_is_valid_with_a_filled_in_env_file(string profile)
    {
        var env = Write(".env", EnvTemplate.Instance.Filled());

        var (exitCode, output) = await ComposeValidator.ConfigAsync(ComposePath, env, profile, "--quiet");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Env_template_as_committed_is_refused_until_its_secrets_are_set()
    {
        var (exitCode, output) = await ComposeValidator.ConfigAsync(ComposePath, EnvTemplate.Path, "app", "--quiet");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("in .env", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_rejects_an_unknown_option()
    {
        var compose = Write("compose.yaml", File.ReadAllText(ComposePath).Replace("    entrypoint: [\"/bin/bash\"", "    entrypoints: [\"/bin/bash\"", StringComparison.Ordinal));
        var env = Write(".env", EnvTemplate.Instance.Filled());

        var (exitCode, output) = await ComposeValidator.ConfigAsync(compose, env, "app", "--quiet");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("entrypoints", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
