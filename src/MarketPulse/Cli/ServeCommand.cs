using System.CommandLine;
using MarketPulse.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MarketPulse.Cli;

internal static class ServeCommand
{
    public static Command Create(string[] configuration)
    {
        var target = new Option<string>("--target") { Description = "the roles to run", HelpName = "all|ingest|analyze", DefaultValueFactory = _ => "all" };
        var urls = new Option<string?>("--urls") { Description = "the addresses to listen on, e.g. http://127.0.0.1:8080 (setting Urls)" };
        var command = new Command("serve", "run the service: --target all|ingest|analyze (default all)") { target, urls };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(target)!, parse.GetValue(urls), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string targetName, string? urls, string[] configuration, CancellationToken cancellationToken)
    {
        if (!HostTargets.TryParse(targetName, out var target))
        {
            throw new UsageException($"--target takes all, ingest or analyze, not '{targetName}'.");
        }

        var configArgs = urls is not null ? [.. configuration, $"--Urls={urls}"] : configuration;
        await using var app = MarketPulseApp.Build(target, configArgs);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Console.WriteLine($"MarketPulse ({target.Name()}) is running. Ctrl-C stops it.");
        foreach (var address in addresses)
        {
            Console.WriteLine($"  health:    {address}/health/ready");
            if (target.HasFlag(HostTarget.Ingest))
            {
                Console.WriteLine($"  webhooks:  {address}/webhooks/{{truedata|news|twitter|reddit|economic}}");
            }

            if (target.HasFlag(HostTarget.Analyze))
            {
                Console.WriteLine($"  analyze:   {address}/api/analyze");
            }

            Console.WriteLine($"  items:     {address}/api/items/{{id}}");
            Console.WriteLine($"  metrics:   {address}/metrics");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
