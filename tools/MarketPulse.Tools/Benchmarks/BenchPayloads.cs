using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MarketPulse.Tools.Benchmarks;

/// <summary>One generated webhook request: where it goes, its body and how many items it carries.</summary>
internal readonly record struct BenchRequest(string Source, byte[] Body, int Items);

/// <summary>
/// Realistic payloads in each source's native form, mixed across the five sources, each item with an id
/// unique to the run and a <c>mp_bench_run</c> field (kept in the raw JSON) that names the run.
/// </summary>
internal sealed class BenchPayloads(string runId, DateTimeOffset runStart, int itemsPerRequest)
{
    public const string RunField = "mp_bench_run";

    /// <summary>Roughly the mix of a trading day: market data and tweets dominate, economic events are rare.</summary>
    private static readonly string[] Mix = ["truedata", "truedata", "truedata", "twitter", "twitter", "news", "news", "reddit", "economic", "truedata"];

    private static readonly string[] Symbols = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "SBIN", "TATAMOTORS", "NIFTY-I", "BANKNIFTY-I", "M&M"];

    private static readonly string[] Headlines =
    [
        "{0} shares climb after quarterly profit beats estimates",
        "{0} slips as brokerages cut target price on margin worries",
        "Foreign investors add {0} to holdings for a third straight month",
        "{0} board approves buyback at a 20% premium",
        "Analysts see limited upside for {0} after the recent rally",
    ];

    private static readonly string[] Tweets =
    [
        "${0} breaking out above resistance with strong volume. Looks bullish into expiry #Nifty",
        "Booked profits in ${0} today, the risk-reward is not great at these levels",
        "${0} results tomorrow; options are pricing a 5% move. Anyone holding through?",
        "Huge block deal in ${0} this morning, someone is accumulating",
    ];

    private readonly long _tweetBase = 1_000_000_000_000_000_000L + (runStart.ToUnixTimeSeconds() % 1_000_000_000L) * 1_000_000_000L;
    private readonly DateTimeOffset _tickBase = runStart.AddHours(-12);
    private long _sequence;
    private long _requests;

    public string RunId { get; } = runId;

    public BenchRequest Next()
    {
        var source = Mix[(int)(Interlocked.Increment(ref _requests) % Mix.Length)];
        return Create(source);
    }

    /// <summary>A request for <paramref name="source"/> with <see cref="itemsPerRequest"/> new items.</summary>
    public BenchRequest Create(string source)
    {
        var first = Interlocked.Add(ref _sequence, itemsPerRequest) - itemsPerRequest;
        var items = new JsonArray();
        for (var i = 0; i < itemsPerRequest; i++)
        {
            var n = first + i;
            items.Add(source switch
            {
                "news" => News(n),
                "twitter" => Tweet(n),
                "reddit" => RedditPost(n),
                "economic" => EconomicEvent(n),
                _ => Tick(n),
            });
        }

        JsonNode body = source switch
        {
            "news" => new JsonObject { ["items"] = items },
            "twitter" => new JsonObject
            {
                ["data"] = items,
                ["includes"] = new JsonObject { ["users"] = new JsonArray(new JsonObject { ["id"] = "2244994945", ["name"] = "Nifty Trader", ["username"] = "niftytrader" }) },
            },
            "reddit" => new JsonObject { ["kind"] = "Listing", ["data"] = new JsonObject { ["after"] = null, ["dist"] = itemsPerRequest, ["children"] = items } },
            "economic" => items,
            _ => new JsonObject { ["ticks"] = items },
        };
        return new BenchRequest(source, Encoding.UTF8.GetBytes(body.ToJsonString()), itemsPerRequest);
    }

    private static string Symbol(long n) => Symbols[(int)(n % Symbols.Length)];

    private string Token(long n) => $"{RunId}-{n.ToString(CultureInfo.InvariantCulture)}";

    private JsonObject News(long n) => new()
    {
        ["id"] = Token(n),
        ["title"] = string.Format(CultureInfo.InvariantCulture, Headlines[(int)(n % Headlines.Length)], Symbol(n)),
        ["summary"] = "The stock moved on heavy volumes as investors weighed the management commentary on demand, pricing and costs for the coming quarters.",
        ["url"] = $"https://example.com/markets/{Token(n)}",
        ["published_at"] = runStart.AddSeconds(-(n % 3600)).ToString("O", CultureInfo.InvariantCulture),
        ["source"] = "MarketPulse Wire",
        ["author"] = "Markets Desk",
        ["tickers"] = new JsonArray(Symbol(n)),
        [RunField] = RunId,
    };

    private JsonObject Tweet(long n)
    {
        var symbol = Symbol(n).Replace("-I", "", StringComparison.Ordinal).Replace("&", "", StringComparison.Ordinal);
        var text = string.Format(CultureInfo.InvariantCulture, Tweets[(int)(n % Tweets.Length)], symbol);
        return new JsonObject
        {
            ["id"] = (_tweetBase + n).ToString(CultureInfo.InvariantCulture),
            ["text"] = text,
            ["author_id"] = "2244994945",
            ["created_at"] = runStart.AddSeconds(-(n % 600)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["lang"] = "en",
            ["entities"] = new JsonObject { ["cashtags"] = new JsonArray(new JsonObject { ["start"] = 0, ["end"] = symbol.Length + 1, ["tag"] = symbol }) },
            ["public_metrics"] = new JsonObject { ["retweet_count"] = n % 17, ["reply_count"] = n % 5, ["like_count"] = n % 97, ["quote_count"] = n % 3 },
            [RunField] = RunId,
        };
    }

    private JsonObject RedditPost(long n)
    {
        var id = "b" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Token(n))).TrimStart('0');
        return new JsonObject
        {
            ["kind"] = "t3",
            ["data"] = new JsonObject
            {
                ["subreddit"] = "IndianStreetBets",
                ["title"] = $"{Symbol(n)}: is the good news priced in?",
                ["selftext"] = $"Bought 50 shares of **{Symbol(n)}** last week. Numbers look strong &amp; the guidance was raised. Thoughts?",
                ["name"] = "t3_" + id,
                ["id"] = id,
                ["author"] = "dalal_street_dev",
                ["permalink"] = $"/r/IndianStreetBets/comments/{id}/is_the_good_news_priced_in/",
                ["created_utc"] = runStart.AddSeconds(-(n % 3600)).ToUnixTimeSeconds(),
                ["score"] = n % 500,
                ["ups"] = n % 500,
                ["upvote_ratio"] = 0.93,
                ["num_comments"] = n % 60,
                ["removed_by_category"] = null,
                [RunField] = RunId,
            },
        };
    }

    private JsonObject EconomicEvent(long n) => new()
    {
        ["CalendarId"] = Token(n),
        ["Date"] = runStart.AddHours(n % 48).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        ["Country"] = "India",
        ["Category"] = "Inflation Rate",
        ["Event"] = "Inflation Rate YoY",
        ["Reference"] = "May",
        ["Source"] = "Ministry of Statistics and Programme Implementation (MOSPI)",
        ["Actual"] = "4.75%",
        ["Previous"] = "4.83%",
        ["Forecast"] = "4.8%",
        ["Importance"] = 3,
        ["Unit"] = "%",
        [RunField] = RunId,
    };

    // A distinct time per item (100 ns apart from the run's base) keeps every tick's hashed id unique.
    private JsonObject Tick(long n) => new()
    {
        ["symbol"] = Symbol(n),
        ["timestamp"] = _tickBase.AddTicks(n).ToString("O", CultureInfo.InvariantCulture),
        ["ltp"] = 2900 + (n % 400) * 0.05,
        ["ltq"] = 1 + (n % 50),
        ["atp"] = 2901.5,
        ["ttq"] = 100_000 + n,
        ["oi"] = 1_250_000,
        [RunField] = RunId,
    };
}
