using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketPulse.Hosting;
using MarketPulse.Testing;

namespace MarketPulse.Tests.Api;

/// <summary>
/// docs/api.md against the OpenAPI document the running service serves: every operation documented with each of
/// its query parameters and status codes, and every documented route real.
/// </summary>
public sealed partial class ApiDocTests(DatabasesFixture fixture) : IClassFixture<DatabasesFixture>
{
    private const string Key = "api-doc-tests-key-0123456789";

    /// <summary>Routes outside the OpenAPI document that api.md describes, with the status each answers here.</summary>
    private static readonly Dictionary<string, HttpStatusCode> OperationsRoutes = new(StringComparer.Ordinal)
    {
        ["GET /health"] = HttpStatusCode.OK,
        ["GET /health/ready"] = HttpStatusCode.OK,
        ["GET /metrics"] = HttpStatusCode.OK,
        ["GET /"] = HttpStatusCode.OK,
        ["GET /openapi/v1.json"] = HttpStatusCode.OK,
    };

    [Fact]
    public async Task Every_operation_of_the_OpenAPI_document_is_documented_with_its_parameters_and_answers()
    {
        var (operations, sections) = await LoadAsync();
        Assert.True(operations.Count >= 13, $"the document has {operations.Count} operations");
        var problems = new List<string>();
        foreach (var operation in operations)
        {
            var heading = DocumentedRoute(operation.Route);
            if (!sections.TryGetValue(heading, out var section))
            {
                problems.Add($"{operation.Route}: no section '### `{heading}`'");
                continue;
            }

            problems.AddRange(operation.Parameters.Where(p => !section.Contains($"`{p}`", StringComparison.Ordinal)).Select(p => $"{heading}: parameter {p} not described"));
            problems.AddRange(operation.Statuses.Where(s => !section.Contains($"- `{s}`", StringComparison.Ordinal)).Select(s => $"{heading}: answer {s} not listed"));
            if (operation.Route.StartsWith("POST /webhooks/", StringComparison.Ordinal) && !section.Contains($"`{operation.Route["POST /webhooks/".Length..]}`", StringComparison.Ordinal))
            {
                problems.Add($"{heading}: source {operation.Route} not named");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Every_documented_route_exists_and_documents_no_answer_the_service_never_gives()
    {
        var (operations, sections) = await LoadAsync();
        var described = operations.Select(o => DocumentedRoute(o.Route)).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (heading, section) in sections)
        {
            if (described.Contains(heading))
            {
                var given = operations.Where(o => DocumentedRoute(o.Route) == heading).SelectMany(o => o.Statuses).ToHashSet(StringComparer.Ordinal);
                problems.AddRange(Listed().Matches(section).Select(m => m.Groups[1].Value).Where(s => !given.Contains(s))
                    .Select(s => $"{heading}: lists {s}, which the document does not give"));
            }
            else if (!OperationsRoutes.ContainsKey(heading))
            {
                problems.Add($"{heading}: documented, but neither in the OpenAPI document nor an operations route");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        await using var app = await StartAsync();
        foreach (var (route, expected) in OperationsRoutes)
        {
            Assert.True(sections.ContainsKey(route), $"{route} is not documented");
            using var request = new HttpRequestMessage(HttpMethod.Get, route.Split(' ')[1]);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            using var response = await app.Client.SendAsync(request);
            Assert.True(expected == response.StatusCode, $"{route} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_needs_the_key_when_one_is_set()
    {
        await using var app = await StartAsync();
        using var response = await app.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(List<Operation> Operations, Dictionary<string, string> Sections)> LoadAsync()
    {
        await using var app = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                var parameters = method.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().Select(x => x.GetProperty("name").GetString()!).ToList() : [];
                var statuses = method.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                operations.Add(new Operation($"{method.Name.ToUpperInvariant()} {path.Name}", parameters, statuses));
            }
        }

        return (operations, Sections());
    }

    private Task<TestApp> StartAsync() =>
        TestApp.StartAsync(HostTarget.All, [.. fixture.Databases.Settings(), .. TestKafka.TopicSettings("api_doc"), new("Api:Key", Key)]);

    /// <summary>The webhooks are one section for the five routes.</summary>
    private static string DocumentedRoute(string route) =>
        route.StartsWith("POST /webhooks/", StringComparison.Ordinal) ? "POST /webhooks/{source}" : route;

    /// <summary>docs/api.md's sections, by the route in their <c>### `METHOD /path`</c> heading.</summary>
    private static Dictionary<string, string> Sections()
    {
        var text = File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "docs", "api.md"));
        var headings = Heading().Matches(text).ToList();
        return headings.Select((h, i) => (Route: h.Groups[1].Value,
                Body: text[(h.Index + h.Length)..(i + 1 < headings.Count ? headings[i + 1].Index : text.Length)]))
            .ToDictionary(s => s.Route, s => s.Body.Split("\n## ")[0], StringComparer.Ordinal);
    }

    private sealed record Operation(string Route, List<string> Parameters, List<string> Statuses);

    [GeneratedRegex(@"^### `((?:GET|POST|PUT|DELETE) [^`]+)`", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^- `(\d{3})`", RegexOptions.Multiline)]
    private static partial Regex Listed();
}
