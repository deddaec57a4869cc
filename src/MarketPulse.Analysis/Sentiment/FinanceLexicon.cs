namespace MarketPulse.Analysis.Sentiment;

/// <summary>
/// Hand-written cue words for market direction. Single words match a token prefix (so "downgrade" matches
/// "downgraded" and "downgrades"); phrases match whole normalised tokens in order.
/// </summary>
internal static class FinanceLexicon
{
    public static readonly string[] BullishStems =
    [
        "beat", "beats", "upgrade", "outperform", "overweight", "raise", "raises", "raised", "hike", "boost",
        "surge", "soar", "jump", "rall", "climb", "gain", "rise", "rises", "rising", "rose", "rebound", "recover",
        "advance", "spike", "skyrocket", "rocket", "bull", "buy", "accumulat", "strong", "stronger", "robust",
        "record", "profit", "upbeat", "optimis", "tops", "topped", "exceed", "outpace", "upside",
        "higher", "high", "expand", "growth", "grow", "win", "wins", "won", "award", "approv", "breakthrough",
        "positive", "improv", "best", "surpass", "boom", "upsurg", "soars", "green", "dividend", "buyback",
        "momentum", "multibagger", "bonanza", "windfall", "lifts", "lifted", "up",
    ];

    public static readonly string[] BearishStems =
    [
        "miss", "downgrade", "underperform", "underweight", "cut", "cuts", "slash", "lower", "plunge", "plummet",
        "tumble", "sink", "sank", "slump", "slide", "slid", "drop", "fall", "fell", "decline", "dip", "crash",
        "tank", "sell", "bear", "weak", "loss", "losses", "lose", "loses", "warn", "warning", "concern",
        "worr", "fear", "risk", "probe", "investigat", "lawsuit", "sue", "fraud", "default", "bankrupt",
        "layoff", "job cuts", "recall", "halt", "suspend", "delay", "disappoint", "pessimis", "negative", "short",
        "downside", "low", "worst", "shrink", "contract", "slowdown", "recession", "inflation", "penalt", "fine",
        "fined", "red", "selloff", "sell-off", "rout", "bloodbath", "slip", "erode", "hit", "hurt", "pressure",
        "down", "resign", "ousted", "scandal", "glut", "deficit", "debt", "crisis", "struggl", "slowing",
    ];

    public static readonly string[][] BullishPhrases =
    [
        ["record", "high"], ["all", "time", "high"], ["price", "target", "raised"], ["raises", "guidance"],
        ["raised", "guidance"], ["beats", "estimates"], ["tops", "estimates"], ["better", "than", "expected"],
        ["upgraded", "to", "buy"], ["strong", "buy"], ["0", "week", "high"], ["hits", "high"], ["new", "high"],
        ["raises", "outlook"], ["raises", "forecast"], ["top", "pick"], ["ahead", "of", "estimates"], ["net", "profit", "rises"],
    ];

    public static readonly string[][] BearishPhrases =
    [
        ["guidance", "cut"], ["cuts", "guidance"], ["lowers", "guidance"], ["misses", "estimates"],
        ["worse", "than", "expected"], ["price", "target", "cut"], ["cut", "to", "sell"], ["downgraded", "to"],
        ["0", "week", "low"], ["record", "low"], ["new", "low"], ["profit", "warning"], ["cuts", "outlook"],
        ["lowers", "outlook"], ["below", "estimates"], ["job", "cuts"], ["net", "loss"], ["sell", "off"],
    ];

    public static readonly string[] Negations =
    [
        "not", "no", "never", "without", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont",
        "cant", "cannot", "couldnt", "shouldnt", "fails", "failed", "unable", "nor", "neither", "lack",
    ];

    public static readonly string[] Hedges =
    [
        "may", "might", "could", "reportedly", "rumor", "rumour", "considering", "consider", "expected", "expects",
        "likely", "possible", "possibly", "plans", "plan", "seeks", "mulls", "weighs", "eyes", "sources", "report",
        "reports", "said", "says", "according", "estimate", "forecast", "preview", "ahead", "to", "will", "what",
        "how", "why", "should", "if", "whether",
    ];
}
