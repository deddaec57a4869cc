using MarketPulse.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MarketPulse.Cli;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new CommandArgs(args, "target", "urls");
        var targetName = options.Get("target") ?? "all";
        if (!HostTargets.TryParse(targetName, out var target))
        {
            throw new UsageException($"--target takes all, ingest or analyze, not '{targetName}'.");
        }

        var configArgs = options.Get("urls") is { } urls ? [.. options.ConfigurationArgs, $"--Urls={urls}"] : options.ConfigurationArgs;
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
