using System.CommandLine;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse healthcheck [--url http://127.0.0.1:8080]</c>: asks a running service's <c>/health/ready</c>;
/// exit code 0 when it answers 2xx, 1 otherwise. A Docker HEALTHCHECK in an image without curl.
/// </summary>
internal static class HealthcheckCommand
{
    public const string UrlVariable = "MARKETPULSE_HEALTH_URL";

    private static readonly string[] WildcardHosts = ["+", "*", "0.0.0.0", "[::]"];

    public static Command Create(string[] configuration)
    {
        var url = new Option<string?>("--url")
        {
            Description = $"the service's address (default: ${UrlVariable}, else the first configured Urls entry, a wildcard host as 127.0.0.1)",
            HelpName = "http://HOST:PORT",
        };
        var timeout = CommandOptions.WholeNumber("--timeout", "seconds to wait for the answer", 5, 1, 300);
        var command = new Command("healthcheck", $"exit 0 when a running service's /health/ready answers 2xx (--url or ${UrlVariable}); for a Docker HEALTHCHECK") { url, timeout };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(url), parse.GetValue(timeout), configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? url, int timeoutSeconds, string[] configuration, CancellationToken cancellationToken)
    {
        var address = url ?? Environment.GetEnvironmentVariable(UrlVariable) ?? ConfiguredAddress(configuration);
        if (!Uri.TryCreate(address.TrimEnd('/') + "/health/ready", UriKind.Absolute, out var ready) || ready.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--url takes an http(s) address such as http://127.0.0.1:8080, not '{address}'.");
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        try
        {
            using var response = await client.GetAsync(ready, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Console.WriteLine($"ready: {ready}");
                return 0;
            }

            await Console.Error.WriteLineAsync($"marketpulse healthcheck: not ready: {ready} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"marketpulse healthcheck: not ready: cannot reach {ready}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"marketpulse healthcheck: not ready: no answer from {ready} within {timeoutSeconds} s.");
        }

        return 1;
    }

    private static string ConfiguredAddress(string[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        var first = (builder.Configuration["Urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new UsageException($"no address: give --url, set {UrlVariable} or configure Urls.");
        foreach (var wildcard in WildcardHosts)
        {
            first = first.Replace($"://{wildcard}:", "://127.0.0.1:", StringComparison.Ordinal);
        }

        return first;
    }
}
