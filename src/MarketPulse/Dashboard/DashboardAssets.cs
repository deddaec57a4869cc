using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace MarketPulse.Dashboard;

/// <summary>
/// The page's static files, read once from the assembly's embedded resources (built by scripts/build-web.sh
/// with gzip and brotli copies beside each file), served with an ETag and the best encoding the browser takes.
/// </summary>
public sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names.Where(n => !n.EndsWith(".gz", StringComparison.Ordinal) && !n.EndsWith(".br", StringComparison.Ordinal)))
        {
            var body = Read(assembly, name);
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..16]}\"";
            _assets["/" + name[Prefix.Length..]] = new Asset(body, Optional(assembly, names, name + ".br"), Optional(assembly, names, name + ".gz"), ContentType(name), etag);
        }
    }

    public bool IsEmpty => _assets.Count == 0;

    public IResult Serve(HttpContext context, string path)
    {
        if (!_assets.TryGetValue(path, out var asset))
        {
            return Results.Problem(statusCode: 404, title: "Not found");
        }

        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache"; // revalidate each load: a new build changes the ETag
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var accept = context.Request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = asset.Brotli is not null && accept.Contains("br", StringComparison.OrdinalIgnoreCase) ? (asset.Brotli, "br")
            : asset.Gzip is not null && accept.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? (asset.Gzip, "gzip")
            : (asset.Body, null);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        return Results.Bytes(body, asset.ContentType);
    }

    private static byte[]? Optional(Assembly assembly, HashSet<string> names, string name) => names.Contains(name) ? Read(assembly, name) : null;

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record Asset(byte[] Body, byte[]? Brotli, byte[]? Gzip, string ContentType, string ETag);
}
