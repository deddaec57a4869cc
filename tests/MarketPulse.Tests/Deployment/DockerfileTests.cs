using System.Xml.Linq;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Deployment;

/// <summary>The Dockerfile copies what exists, builds every project the service needs, and runs as a non-root user.</summary>
public sealed class DockerfileTests
{
    private static readonly DockerfileInstructions Image = DockerfileInstructions.Instance;

    [Fact]
    public void Every_COPY_source_exists_and_is_in_the_build_context()
    {
        var ignored = File.ReadAllLines(Path.Combine(TestStack.RepositoryRoot, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var sources = Image.All.Where(i => i.Instruction == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = Path.Combine(TestStack.RepositoryRoot, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
            Assert.DoesNotContain(ignored, pattern => pattern.TrimStart('*', '/').TrimEnd('/') is var p && p.Length > 0
                && source.TrimEnd('/').Split('/').Contains(p, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void The_build_stage_copies_every_project_the_service_references()
    {
        var copied = Image.All.Where(i => i.Instruction == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .Select(s => Path.GetFullPath(Path.Combine(TestStack.RepositoryRoot, s)))
            .ToList();
        var publish = Assert.Single(Image.All, i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var project = publish.Arguments.Split(' ').Single(a => a.EndsWith(".csproj", StringComparison.Ordinal));

        var pending = new Stack<string>([Path.GetFullPath(Path.Combine(TestStack.RepositoryRoot, project))]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var csproj))
        {
            if (!seen.Add(csproj))
            {
                continue;
            }

            Assert.True(copied.Any(c => csproj.StartsWith(c, StringComparison.Ordinal)), $"{Path.GetRelativePath(TestStack.RepositoryRoot, csproj)} is referenced but not copied into the build stage");
            foreach (var reference in XDocument.Load(csproj).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        Assert.True(seen.Count > 1);
        foreach (var file in new[] { "global.json", "nuget.config", "Directory.Build.props", "Directory.Packages.props" })
        {
            Assert.Contains(Path.Combine(TestStack.RepositoryRoot, file), copied);
        }
    }

    [Fact]
    public void Runtime_stage_is_chiseled_runs_as_app_and_sets_only_real_settings()
    {
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", Image.All[0].Arguments, StringComparison.Ordinal);
        var from = Assert.Single(Image.Runtime("FROM"));
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0-", from, StringComparison.Ordinal);
        Assert.Contains("chiseled", from, StringComparison.Ordinal);
        Assert.Equal("app", Image.Runtime("USER").Last());

        var environment = Image.RuntimeEnvironment();
        Assert.Equal("Production", environment["DOTNET_ENVIRONMENT"]);
        Assert.All(environment.Keys, k => Assert.True(SettingNames.Instance.IsEnvironmentVariable(k), $"ENV {k} is not a setting"));

        Assert.Equal("[\"dotnet\", \"marketpulse.dll\"]", Assert.Single(Image.Runtime("ENTRYPOINT")));
        Assert.Contains("COPY deploy/appsettings.Production.json ./", Image.All.Where(i => i.Stage == Image.RuntimeStage).Select(i => $"{i.Instruction} {i.Arguments}"));
        Assert.DoesNotContain("curl", Assert.Single(Image.Runtime("HEALTHCHECK")), StringComparison.Ordinal);
    }
}
