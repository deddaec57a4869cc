using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Text.Json;
using MarketPulse.Hosting;
using MarketPulse.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MarketPulse.Tests.Deployment;

/// <summary>
/// Every configuration key the service reads: the keys of src/MarketPulse/appsettings.json, and the public
/// properties of every options type the real composition binds (found in its service collection, with the
/// section each is bound to), so the list follows the code. Dictionary keys match any segment (<c>*</c>),
/// list indexes any number (<c>#</c>).
/// </summary>
public sealed partial class SettingNames
{
    // Read by the host itself, not through an options type.
    private static readonly string[] HostVariables = ["DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT"];

    // The logging framework's category-to-level map: any category name is a valid key.
    private static readonly string[] FrameworkPatterns = ["logging:loglevel:*"];

    private readonly HashSet<string> _patterns;

    private SettingNames(HashSet<string> patterns, HashSet<string> optionsPatterns)
    {
        _patterns = patterns;
        OptionsPatterns = optionsPatterns;
    }

    public static SettingNames Instance { get; } = Load();

    /// <summary>The keys of the bound options types alone (lower case; <c>*</c> any name, <c>#</c> any index).</summary>
    public IReadOnlyCollection<string> OptionsPatterns { get; }

    /// <summary>The configuration key of an environment variable (<c>Section__Key</c> is <c>Section:Key</c>).</summary>
    public static string KeyOf(string environmentVariable) => environmentVariable.Replace("__", ":", StringComparison.Ordinal);

    public bool IsEnvironmentVariable(string name) =>
        HostVariables.Contains(name, StringComparer.Ordinal) || Exists(KeyOf(name));

    public bool Exists(string key)
    {
        var segments = key.ToLowerInvariant().Split(':');
        return _patterns.Any(pattern => Matches(pattern.Split(':'), segments));
    }

    private static bool Matches(string[] pattern, string[] segments) =>
        pattern.Length == segments.Length && pattern.Zip(segments).All(p => p.First switch
        {
            "*" => p.Second.Length > 0,
            "#" => p.Second.Length > 0 && p.Second.All(char.IsAsciiDigit),
            _ => p.First == p.Second,
        });

    private static SettingNames Load()
    {
        var patterns = new HashSet<string>(FrameworkPatterns, StringComparer.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestStack.RepositoryRoot, "src", "MarketPulse", "appsettings.json")),
                   new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }))
        {
            AddJson(json.RootElement, "", patterns);
        }

        // Keys read one by one (configuration.GetValue("Shutdown:Timeout", ...), configuration["Urls"]), not through a type.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestStack.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            patterns.UnionWith(DirectRead().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value.ToLowerInvariant()));
        }

        var optionsPatterns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, section) in BoundOptionsTypes())
        {
            AddType(type, section.ToLowerInvariant(), optionsPatterns, depth: 0);
        }

        patterns.UnionWith(optionsPatterns);
        return new SettingNames(patterns, optionsPatterns);
    }

    /// <summary>The options types bound with <c>BindConfiguration</c> in the composition of every role, with their sections.</summary>
    public static IReadOnlyList<(Type Type, string Section)> BoundOptionsTypes()
    {
        IServiceCollection? services = null;
        var app = MarketPulseApp.Build(HostTarget.All, [], builder => services = builder.Services);
        try
        {
            var found = new List<(Type, string)>();
            var types = services!.Select(d => d.ServiceType)
                .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
                .Select(t => t.GetGenericArguments()[0])
                .Where(t => t.Namespace?.StartsWith("MarketPulse", StringComparison.Ordinal) == true)
                .Distinct()
                .ToList();
            foreach (var type in types)
            {
                // BindConfiguration adds Configure<IConfiguration>((o, config) => bind section configSectionPath): the
                // section is the lambda's captured path.
                var sections = app.Services.GetServices(typeof(IConfigureOptions<>).MakeGenericType(type))
                    .Select(c => c!.GetType().GetProperty("Action")?.GetValue(c) as Delegate)
                    .Select(a => a?.Target?.GetType().GetField("configSectionPath")?.GetValue(a.Target) as string)
                    .OfType<string>()
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                Assert.True(sections.Count > 0, $"{type}: no bound section found; the way options are found here needs updating.");
                found.AddRange(sections.Select(section => (type, section)));
            }

            Assert.True(found.Count > 3, "too few options types found: " + string.Join(", ", found));
            return found;
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void AddJson(JsonElement element, string path, HashSet<string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    AddJson(property.Value, Join(path, property.Name.ToLowerInvariant()), into);
                }

                break;
            case JsonValueKind.Array:
                into.Add(Join(path, "#"));
                break;
            default:
                into.Add(path);
                break;
        }
    }

    private static void AddType(Type type, string path, HashSet<string> into, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true }
                || (property.SetMethod is not { IsPublic: true } && !IsCollection(property.PropertyType)))
            {
                continue;
            }

            AddValue(property.PropertyType, Join(path, property.Name.ToLowerInvariant()), into, depth);
        }
    }

    private static void AddValue(Type type, string path, HashSet<string> into, int depth)
    {
        if (IsSimple(type))
        {
            into.Add(path);
            return;
        }

        if (Interface(type, typeof(IDictionary<,>)) is { } dictionary)
        {
            AddValue(dictionary.GetGenericArguments()[1], Join(path, "*"), into, depth + 1);
            return;
        }

        if (Interface(type, typeof(IEnumerable<>)) is { } sequence)
        {
            AddValue(sequence.GetGenericArguments()[0], Join(path, "#"), into, depth + 1);
            return;
        }

        AddType(type, path, into, depth + 1);
    }

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);
    }

    private static Type? Interface(Type type, Type generic) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == generic
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}:{name}";

    [GeneratedRegex(@"(?:GetValue(?:<[^>]+>)?\(|[Cc]onfiguration\[)""([A-Za-z][A-Za-z0-9_]*(?::[A-Za-z][A-Za-z0-9_]*)*)""")]
    private static partial Regex DirectRead();
}
