namespace MarketPulse.Dashboard;

/// <summary>The page at <c>/</c> and its assets; the data comes from the <c>/api/*</c> routes, which carry the key rules.</summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var assets = new DashboardAssets();
        endpoints.MapGet("/", (HttpContext context) => assets.Serve(context, "/index.html")).ExcludeFromDescription();
        endpoints.MapGet("/{file}", (HttpContext context, string file) => assets.Serve(context, "/" + file)).ExcludeFromDescription();
        return endpoints;
    }
}
