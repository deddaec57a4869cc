using System.CommandLine;
using MarketPulse.Webhooks;

namespace MarketPulse.Cli;

/// <summary>
/// <c>marketpulse sign --source news --file body.json</c>: prints the headers that sign that body now,
/// one <c>Name: value</c> per line, with the source's secret from configuration (never printed).
/// </summary>
internal static class SignCommand
{
    public static Command Create(string[] configuration)
    {
        var source = new Option<string>("--source") { Description = "the webhook source: " + string.Join(", ", SourceNormalizers.All.Keys), Required = true };
        var file = new Option<string>("--file") { Description = "the body to sign (- for standard input)", HelpName = "BODY.json", Required = true };
        var command = new Command("sign", "print the headers that sign a webhook body: --source NAME --file BODY.json (- for stdin)") { source, file };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(source)!, parse.GetValue(file)!, configuration, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string source, string file, string[] configuration, CancellationToken cancellationToken)
    {
        if (SourceNormalizers.Find(source) is null)
        {
            throw new UsageException($"unknown source '{source}'; known: {string.Join(", ", SourceNormalizers.All.Keys)}.");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = configuration, ContentRootPath = AppContext.BaseDirectory });
        var webhooks = builder.Configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        var secret = webhooks.For(source).Secret;
        if (string.IsNullOrEmpty(secret))
        {
            throw new UsageException($"no secret is configured for {source} (Webhooks:Sources:{source}:Secret, environment variable Webhooks__Sources__{source}__Secret).");
        }

        byte[] body;
        try
        {
            body = file == "-" ? await ReadStdinAsync(cancellationToken) : await File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {file}: {e.Message}");
        }

        foreach (var line in WebhookSignature.HeaderLines(secret, body, DateTimeOffset.UtcNow))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static async Task<byte[]> ReadStdinAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
