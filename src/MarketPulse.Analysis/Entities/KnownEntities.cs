namespace MarketPulse.Analysis.Entities;

/// <summary>
/// Hand-written dictionaries that work without any reference list: indices, currencies, commodities,
/// crypto, countries, central bankers, and the aliases text uses for very common companies.
/// Phrases are written as they must be capitalised (see <see cref="PhraseTrie{T}.Add(string, T)"/>).
/// </summary>
internal static class KnownEntities
{
    public static readonly (string Canonical, string[] Spellings)[] Indices =
    [
        ("NIFTY 50", ["Nifty", "Nifty 50", "Nifty Fifty", "NSE Nifty", "Nifty50 index"]),
        ("SENSEX", ["sensex", "BSE Sensex", "S&P BSE Sensex", "Sensex 30"]),
        ("NIFTY BANK", ["Bank Nifty", "BankNifty", "Nifty Bank", "Nifty Bank index"]),
        ("NIFTY IT", ["Nifty IT"]),
        ("NIFTY FIN SERVICE", ["FinNifty", "Fin Nifty", "Nifty Financial Services", "Nifty Fin Service"]),
        ("NIFTY NEXT 50", ["Nifty Next 50", "Nifty Junior"]),
        ("NIFTY MIDCAP 100", ["Nifty Midcap 100", "Nifty Midcap"]),
        ("NIFTY SMALLCAP 100", ["Nifty Smallcap 100", "Nifty Smallcap"]),
        ("NIFTY MIDCAP SELECT", ["MidcpNifty", "Midcap Nifty", "Nifty Midcap Select"]),
        ("NIFTY AUTO", ["Nifty Auto"]),
        ("NIFTY PHARMA", ["Nifty Pharma"]),
        ("NIFTY FMCG", ["Nifty FMCG"]),
        ("NIFTY METAL", ["Nifty Metal"]),
        ("NIFTY REALTY", ["Nifty Realty"]),
        ("NIFTY ENERGY", ["Nifty Energy"]),
        ("NIFTY MEDIA", ["Nifty Media"]),
        ("NIFTY PSU BANK", ["Nifty PSU Bank"]),
        ("NIFTY PVT BANK", ["Nifty Private Bank", "Nifty Pvt Bank"]),
        ("INDIA VIX", ["India VIX", "India Vix"]),
        ("GIFT NIFTY", ["Gift Nifty", "SGX Nifty"]),
        ("BSE MIDCAP", ["BSE Midcap"]),
        ("BSE SMALLCAP", ["BSE Smallcap"]),
        ("S&P 500", ["S&P 500", "S&P", "SPX", "SP500", "Standard & Poor's 500", "S&P 500 index"]),
        ("NASDAQ COMPOSITE", ["Nasdaq", "Nasdaq Composite", "IXIC"]),
        ("NASDAQ 100", ["Nasdaq 100", "NDX"]),
        ("DOW JONES", ["Dow", "Dow Jones", "DJIA", "Dow Jones Industrial Average", "Dow Industrials"]),
        ("RUSSELL 2000", ["Russell 2000", "Russell"]),
        ("VIX", ["VIX", "Cboe Volatility Index"]),
        ("FTSE 100", ["FTSE 100", "FTSE"]),
        ("DAX", ["DAX"]),
        ("CAC 40", ["CAC 40", "CAC"]),
        ("EURO STOXX 50", ["Euro Stoxx 50", "Euro Stoxx"]),
        ("STOXX 600", ["Stoxx 600", "Stoxx Europe 600", "STOXX 600"]),
        ("NIKKEI 225", ["Nikkei", "Nikkei 225"]),
        ("TOPIX", ["Topix"]),
        ("HANG SENG", ["Hang Seng", "Hang Seng index"]),
        ("SHANGHAI COMPOSITE", ["Shanghai Composite"]),
        ("CSI 300", ["CSI 300"]),
        ("KOSPI", ["Kospi"]),
        ("ASX 200", ["ASX 200", "S&P/ASX 200"]),
        ("MSCI WORLD", ["MSCI World"]),
        ("MSCI EM", ["MSCI Emerging Markets", "MSCI EM"]),
    ];

    /// <summary>Cashtags that name an index or a coin rather than a listed company.</summary>
    public static readonly Dictionary<string, (EntityType Type, string Symbol)> CashtagSymbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SPX"] = (EntityType.Index, "S&P 500"),
        ["NDX"] = (EntityType.Index, "NASDAQ 100"),
        ["IXIC"] = (EntityType.Index, "NASDAQ COMPOSITE"),
        ["DJI"] = (EntityType.Index, "DOW JONES"),
        ["DJIA"] = (EntityType.Index, "DOW JONES"),
        ["VIX"] = (EntityType.Index, "VIX"),
        ["NIFTY"] = (EntityType.Index, "NIFTY 50"),
        ["NIFTY50"] = (EntityType.Index, "NIFTY 50"),
        ["BANKNIFTY"] = (EntityType.Index, "NIFTY BANK"),
        ["FINNIFTY"] = (EntityType.Index, "NIFTY FIN SERVICE"),
        ["SENSEX"] = (EntityType.Index, "SENSEX"),
    };

    /// <summary>ISO codes used in pairs (USD/INR, EURUSD). Single codes that are English words (TRY) only count inside pairs.</summary>
    public static readonly string[] PairCurrencies =
    [
        "USD", "INR", "EUR", "GBP", "JPY", "CNY", "CNH", "CHF", "AUD", "CAD", "NZD", "HKD", "SGD", "KRW",
        "BRL", "MXN", "ZAR", "RUB", "TRY", "SEK", "NOK", "AED", "SAR", "IDR", "MYR", "THB",
    ];

    public static readonly HashSet<string> BareCurrencyCodes = new(StringComparer.Ordinal)
    {
        "USD", "INR", "EUR", "GBP", "JPY", "CNY", "CNH", "CHF", "AUD", "CAD", "NZD", "HKD", "SGD", "KRW",
        "BRL", "MXN", "ZAR", "RUB", "AED",
    };

    public static readonly (string Symbol, string[] Spellings)[] Currencies =
    [
        ("INR", ["rupee", "rupees", "Indian rupee", "INR"]),
        ("USD", ["dollar", "dollars", "US dollar", "U.S. dollar", "greenback", "USD"]),
        ("EUR", ["euro", "euros"]),
        ("JPY", ["yen", "Japanese yen"]),
        ("GBP", ["pound", "sterling", "British pound", "pound sterling"]),
        ("CNY", ["yuan", "renminbi", "Chinese yuan"]),
        ("CHF", ["Swiss franc"]),
        ("AUD", ["Australian dollar", "Aussie dollar"]),
        ("CAD", ["Canadian dollar", "loonie"]),
        ("HKD", ["Hong Kong dollar"]),
        ("SGD", ["Singapore dollar"]),
        ("KRW", ["Korean won", "South Korean won"]),
        ("RUB", ["ruble", "rouble"]),
        ("TRY", ["Turkish lira", "lira"]),
        ("MXN", ["Mexican peso"]),
        ("IDR", ["rupiah"]),
        ("MYR", ["ringgit"]),
        ("DXY", ["dollar index", "DXY", "US dollar index"]),
        ("USD/INR", ["dollar-rupee", "rupee-dollar", "rupee vs dollar", "rupee against the dollar", "rupee against dollar"]),
    ];

    public static readonly (string Symbol, string[] Spellings)[] Commodities =
    [
        ("GOLD", ["gold", "gold prices", "bullion", "XAU", "XAUUSD", "XAU/USD", "XAU USD"]),
        ("SILVER", ["silver", "XAG", "XAGUSD", "XAG/USD", "XAG USD"]),
        ("CRUDE OIL", ["crude", "crude oil", "oil", "oil prices"]),
        ("BRENT", ["Brent", "Brent crude", "Brent oil"]),
        ("WTI", ["WTI", "WTI crude", "West Texas Intermediate"]),
        ("NATURAL GAS", ["natural gas", "natgas", "nat gas", "LNG"]),
        ("COPPER", ["copper"]),
        ("ALUMINIUM", ["aluminium", "aluminum"]),
        ("ZINC", ["zinc"]),
        ("NICKEL", ["nickel"]),
        ("PLATINUM", ["platinum"]),
        ("PALLADIUM", ["palladium"]),
        ("IRON ORE", ["iron ore"]),
        ("STEEL", ["steel prices"]),
        ("WHEAT", ["wheat"]),
        ("CORN", ["corn"]),
        ("SOYBEANS", ["soybean", "soybeans", "soyabean"]),
        ("SUGAR", ["sugar prices", "raw sugar"]),
        ("COFFEE", ["coffee prices", "arabica", "robusta"]),
        ("COTTON", ["cotton prices"]),
        ("PALM OIL", ["palm oil"]),
    ];

    public static readonly (string Symbol, string[] Spellings)[] Crypto =
    [
        ("BTC", ["bitcoin", "bitcoins", "BTC", "XBT", "BTC/USD", "BTCUSD", "BTC/USDT", "BTCUSDT", "BTC USD"]),
        ("ETH", ["ether", "ethereum", "ETH", "ETH/USD", "ETHUSD", "ETH/USDT", "ETHUSDT", "ETH USD"]),
        ("SOL", ["solana", "SOL", "SOL/USD", "SOLUSDT"]),
        ("XRP", ["XRP", "Ripple"]),
        ("BNB", ["BNB", "Binance Coin"]),
        ("DOGE", ["dogecoin", "DOGE"]),
        ("ADA", ["cardano", "ADA"]),
        ("USDT", ["tether", "USDT"]),
        ("USDC", ["USDC", "USD Coin"]),
        ("AVAX", ["Avalanche", "AVAX"]),
        ("DOT", ["polkadot", "DOT"]),
        ("LTC", ["litecoin", "LTC"]),
        ("POL", ["Polygon", "MATIC"]),
        ("SHIB", ["Shiba Inu", "SHIB"]),
        ("TRX", ["Tron", "TRX"]),
        ("LINK", ["Chainlink"]),
        ("TON", ["Toncoin"]),
    ];

    public static readonly (string Symbol, string[] Spellings)[] Countries =
    [
        ("IN", ["India"]),
        ("US", ["US", "U.S.", "USA", "U.S.A.", "United States", "America"]),
        ("CN", ["China"]),
        ("JP", ["Japan"]),
        ("GB", ["UK", "U.K.", "Britain", "United Kingdom"]),
        ("DE", ["Germany"]),
        ("FR", ["France"]),
        ("IT", ["Italy"]),
        ("ES", ["Spain"]),
        ("RU", ["Russia"]),
        ("UA", ["Ukraine"]),
        ("IL", ["Israel"]),
        ("IR", ["Iran"]),
        ("SA", ["Saudi Arabia"]),
        ("AE", ["UAE", "United Arab Emirates"]),
        ("BR", ["Brazil"]),
        ("CA", ["Canada"]),
        ("MX", ["Mexico"]),
        ("KR", ["South Korea", "Korea"]),
        ("TW", ["Taiwan"]),
        ("HK", ["Hong Kong"]),
        ("SG", ["Singapore"]),
        ("AU", ["Australia"]),
        ("CH", ["Switzerland"]),
        ("PK", ["Pakistan"]),
        ("BD", ["Bangladesh"]),
        ("ID", ["Indonesia"]),
        ("VN", ["Vietnam"]),
        ("ZA", ["South Africa"]),
        ("TR", ["Turkey"]),
        ("EU", ["Eurozone", "euro zone", "euro area", "European Union", "EU"]),
    ];

    public static readonly (string Name, string[] Spellings)[] People =
    [
        ("Jerome Powell", ["Jerome Powell", "Powell"]),
        ("Sanjay Malhotra", ["Sanjay Malhotra"]),
        ("Shaktikanta Das", ["Shaktikanta Das"]),
        ("Christine Lagarde", ["Christine Lagarde", "Lagarde"]),
        ("Kazuo Ueda", ["Kazuo Ueda"]),
        ("Andrew Bailey", ["Andrew Bailey"]),
    ];

    /// <summary>Names text uses that the legal names do not give (or give ambiguously). Market is NSE or US.</summary>
    public static readonly (string Alias, string Market, string Symbol, string DefaultExchange)[] CompanyAliases =
    [
        ("RIL", "NSE", "RELIANCE", "NSE"),
        ("Reliance", "NSE", "RELIANCE", "NSE"),
        ("Reliance Industries", "NSE", "RELIANCE", "NSE"),
        ("Infosys", "NSE", "INFY", "NSE"),
        ("TCS", "NSE", "TCS", "NSE"),
        ("Tata Consultancy", "NSE", "TCS", "NSE"),
        ("HDFC Bank", "NSE", "HDFCBANK", "NSE"),
        ("ICICI Bank", "NSE", "ICICIBANK", "NSE"),
        ("SBI", "NSE", "SBIN", "NSE"),
        ("State Bank of India", "NSE", "SBIN", "NSE"),
        ("Airtel", "NSE", "BHARTIARTL", "NSE"),
        ("Bharti Airtel", "NSE", "BHARTIARTL", "NSE"),
        ("L&T", "NSE", "LT", "NSE"),
        ("Larsen", "NSE", "LT", "NSE"),
        ("M&M", "NSE", "M&M", "NSE"),
        ("Mahindra", "NSE", "M&M", "NSE"),
        ("Maruti", "NSE", "MARUTI", "NSE"),
        ("Maruti Suzuki", "NSE", "MARUTI", "NSE"),
        ("Kotak", "NSE", "KOTAKBANK", "NSE"),
        ("Kotak Bank", "NSE", "KOTAKBANK", "NSE"),
        ("HUL", "NSE", "HINDUNILVR", "NSE"),
        ("Sun Pharma", "NSE", "SUNPHARMA", "NSE"),
        ("Dr Reddy's", "NSE", "DRREDDY", "NSE"),
        ("Dr. Reddy's", "NSE", "DRREDDY", "NSE"),
        ("HCL Tech", "NSE", "HCLTECH", "NSE"),
        ("HCLTech", "NSE", "HCLTECH", "NSE"),
        ("Wipro", "NSE", "WIPRO", "NSE"),
        ("ITC", "NSE", "ITC", "NSE"),
        ("ONGC", "NSE", "ONGC", "NSE"),
        ("NTPC", "NSE", "NTPC", "NSE"),
        ("LIC", "NSE", "LICI", "NSE"),
        ("IndiGo", "NSE", "INDIGO", "NSE"),
        ("Zomato", "NSE", "ETERNAL", "NSE"),
        ("Paytm", "NSE", "PAYTM", "NSE"),
        ("Nykaa", "NSE", "NYKAA", "NSE"),
        ("Bajaj Finance", "NSE", "BAJFINANCE", "NSE"),
        ("Adani Enterprises", "NSE", "ADANIENT", "NSE"),
        ("Tata Steel", "NSE", "TATASTEEL", "NSE"),
        ("Apple", "US", "AAPL", "NASDAQ"),
        ("Microsoft", "US", "MSFT", "NASDAQ"),
        ("Google", "US", "GOOGL", "NASDAQ"),
        ("Alphabet", "US", "GOOGL", "NASDAQ"),
        ("Amazon", "US", "AMZN", "NASDAQ"),
        ("Meta", "US", "META", "NASDAQ"),
        ("Facebook", "US", "META", "NASDAQ"),
        ("Tesla", "US", "TSLA", "NASDAQ"),
        ("Nvidia", "US", "NVDA", "NASDAQ"),
        ("Netflix", "US", "NFLX", "NASDAQ"),
        ("Berkshire", "US", "BRK.B", "NYSE"),
        ("Berkshire Hathaway", "US", "BRK.B", "NYSE"),
        ("JPMorgan", "US", "JPM", "NYSE"),
        ("JP Morgan", "US", "JPM", "NYSE"),
        ("Goldman", "US", "GS", "NYSE"),
        ("Goldman Sachs", "US", "GS", "NYSE"),
        ("Walmart", "US", "WMT", "NYSE"),
        ("Disney", "US", "DIS", "NYSE"),
        ("Coca-Cola", "US", "KO", "NYSE"),
        ("PepsiCo", "US", "PEP", "NASDAQ"),
        ("Exxon", "US", "XOM", "NYSE"),
        ("ExxonMobil", "US", "XOM", "NYSE"),
        ("Rivian", "US", "RIVN", "NASDAQ"),
        ("Coinbase", "US", "COIN", "NASDAQ"),
        ("MicroStrategy", "US", "MSTR", "NASDAQ"),
        ("Alibaba", "US", "BABA", "NYSE"),
        ("TSMC", "US", "TSM", "NYSE"),
        ("IBM", "US", "IBM", "NYSE"),
        ("AMD", "US", "AMD", "NASDAQ"),
        ("ServiceNow", "US", "NOW", "NYSE"),
    ];

    /// <summary>
    /// Real symbols that are also words or everyday acronyms: never a ticker without a cashtag or an
    /// exchange qualifier (README of the securities lists: ON, ARE, IT, ALL, ONE, NOW, CASH...).
    /// </summary>
    public static readonly HashSet<string> BareSymbolStopList = new(StringComparer.OrdinalIgnoreCase)
    {
        "A", "AN", "AM", "AI", "ALL", "AND", "ANY", "ARE", "ARM", "AS", "AT", "BE", "BIG", "BY", "CAN", "CASH", "CAT",
        "DAY", "DO", "EAT", "EVER", "FAST", "FOR", "FUN", "GO", "GOOD", "HAS", "HE", "HIS", "HOME", "HOPE", "HUM",
        "IDEA", "IF", "IN", "IS", "IT", "KEY", "LIFE", "LOW", "MAN", "MAR", "ME", "MET", "NEW", "NO", "NOW", "OF",
        "OK", "ON", "ONE", "OR", "OUT", "PEAK", "PLAY", "POOL", "REAL", "RUN", "SAVE", "SEE", "SO", "SUN", "TECH",
        "THE", "TO", "TRUE", "TWO", "UP", "US", "WELL", "WIN", "YOU", "COST", "BEN", "LIN", "WORK", "LAND", "INFO",
        "OPEN", "SAIL", "GOLD", "OIL", "GAS", "CEO", "CFO", "IPO", "GDP", "CPI", "FED", "RBI", "SEBI", "ETF", "EPS",
        "FII", "FIIS", "DII", "AGM", "ATH", "EV", "EVS", "USA", "NSE", "BSE", "MPC", "FOMC", "ECB", "IMF", "ESG",
        "LOVE", "NICE", "PLUS", "SAFE", "STAR", "FIVE", "HEAR", "ROCK", "SITE", "TELL", "WAVE", "MOVE", "PAY",
        "NEXT", "BEST", "CARE", "EDIT", "FLY", "JOB", "JOBS", "LAZ", "MAIN", "MARK", "NEAR", "PICK", "RARE", "RIDE",
        "SHOP", "SNAP", "TALK", "TEAM", "TEN", "TOP", "TRIP", "VERY", "WASH", "WISH", "ZONE", "BANK", "BOND",
        "RATE", "HOLD", "BUY", "SELL", "CALL", "PUT", "BULL", "BEAR", "DIP", "ATM", "USD", "EUR", "INR", "GBP",
        "UK", "EU", "UAE", "IST", "EST", "GMT", "PSU", "PSE", "FMCG", "AUM", "NAV", "GST", "TAX", "LTD", "INC", "PLC",
    };

    /// <summary>
    /// One-word names (after stripping legal suffixes) that are ordinary words or too generic to be a
    /// company on their own; two-word names containing them still match ("Coal India", "Federal Bank").
    /// </summary>
    public static readonly HashSet<string> SingleWordNameStopList = new(StringComparer.OrdinalIgnoreCase)
    {
        "India", "Indian", "National", "United", "General", "American", "First", "Global", "International", "Capital",
        "Financial", "Energy", "Power", "Bank", "Steel", "Life", "Health", "Industries", "Technologies", "Services",
        "Systems", "Solutions", "Group", "Holdings", "Trust", "Realty", "Home", "Gold", "Silver", "Oil", "Gas", "Coal",
        "Market", "Markets", "Stock", "News", "Match", "Public", "Equity", "Best", "Ball", "Carrier", "Fox", "Sun",
        "Star", "Block", "Snap", "Strategy", "Shift", "Dollar", "Euro", "Crude", "Central", "Federal", "Union",
        "State", "Standard", "Southern", "Progressive", "Jio", "Eternal", "Future", "Ideal", "Fusion", "Summit",
        "Pioneer", "Premier", "Prime", "Alpha", "Omega", "Delta", "Apex", "Vision",
        "Mosaic", "Monster", "Pool", "Insight", "Genius", "Harmony", "Liberty", "Victory", "Frontier", "Nova",
        "Pacific", "Atlantic", "Western", "Eastern", "Northern", "North", "South", "East", "West", "New", "Next",
        "Tata", "Adani", "Bajaj", "Birla", "Mahindra", "Reliance", "HDFC", "ICICI", "Hindustan", "Bharat", "Oriental",
        "Asian", "Great", "Royal", "Smart", "Digital", "Data", "Cloud", "Media", "Entertainment", "Mining",
        "Metals", "Chemicals", "Pharma", "Pharmaceuticals", "Motors", "Auto", "Finance", "Investment", "Investments",
        "Insurance", "Securities", "Ventures", "Enterprises", "Infrastructure", "Infra", "Housing", "Textiles",
        "Foods", "Agro", "Sugar", "Paper", "Cement", "Cables", "Electric", "Electricals", "Electronics", "Engineering",
        "Projects", "Logistics", "Shipping", "Airlines", "Hotels", "Resorts", "Hospitals", "Labs", "Laboratories",
        "Bio", "Care", "Credit", "Fund", "Income", "Growth", "Value", "Quality", "Select", "Total", "Core", "Plus",
        "Inc", "Limited", "Ltd", "Corporation", "Company", "Co", "The", "Fed", "Dow", "Nasdaq", "Sensex", "Nifty",
        "Bitcoin", "Ether", "Ethereum", "Solana", "Ripple", "Avalanche", "Polygon", "Tron", "Russell", "America",
        "China", "Japan", "Europe", "Asia", "Africa", "Hong", "Kong", "Singapore", "London", "York", "Texas",
        "California", "Florida", "Carolina", "Allied", "Aurora", "Atlas", "Phoenix", "Eagle",
        "Here", "Time", "Trade", "Share", "Shares", "Today", "Top", "Why", "What", "How", "When", "Where", "Who", "This", "That", "These", "Those", "Stocks", "Bull", "Bear", "Buy", "Sell", "Hold", "Price", "Prices", "Rally", "Record", "High", "Low", "Rise", "Fall", "Gain", "Gains", "Loss", "Week", "Month", "Year", "Day", "Daily", "Weekly", "Live", "Watch", "Check", "List", "Full", "Quick", "Key", "Big", "Small", "Large", "Mid", "Cap", "Report", "Results", "Earnings", "Profit", "Revenue", "Sales", "Return", "Returns", "Dividend", "Bonus", "Split", "Issue", "Offer", "Deal", "Order", "Orders", "Contract", "Plan", "Plans", "Board", "Meeting", "Update", "Alert", "Signal", "Trend", "Track", "Focus", "Edge", "Point", "Points", "Level", "Levels", "Support", "Resistance", "Volume", "Open", "Close", "Opening", "Closing", "Session", "Trading", "Investors", "Investor", "Experts", "Expert", "Analyst", "Analysts", "Strong", "Weak", "Positive", "Negative", "Green", "Red", "Blue", "Black", "White", "Bright", "Clear", "Simple", "Futures", "Options", "Option", "Street", "Wall", "Main", "City", "Metro", "Urban", "Rural", "Village", "People", "House", "Family", "Medical", "Money", "Cash", "Funds", "Banks", "Secure", "Safe", "Security", "Shield", "Guard", "Alliance", "Partners", "Associates", "Agency", "Link", "Connect", "Network", "Net", "Web", "Online", "Mobile", "Phone", "Technology", "Soft", "Solar", "Wind", "Water", "Fire", "Air", "Earth", "Ocean", "Sea", "River", "Lake", "Mountain", "Hill", "Valley", "Forest", "Garden", "Park", "Land", "World", "Universal", "Crown", "King", "Queen", "Prince", "Knight", "Empire", "Kingdom", "Freedom", "Triumph", "Pride", "Spirit", "Soul", "Heart", "Mind", "Idea", "Wise", "Brilliant", "Golden", "Moon", "Sky", "Planet", "Galaxy", "Cosmos", "Elite", "Choice", "Superior", "Supreme", "Ultimate", "Max", "Pro", "One", "Second", "Third", "Old", "Modern", "Classic", "Rapid", "Swift", "Express", "Fast", "Speed", "Motion", "Move", "Drive", "Ride", "Journey", "Travel", "Trip", "Tour", "Way", "Path", "Road", "Bridge", "Gate", "Door", "Window", "Access", "Entry", "Exit", "Hope", "Trust", "Best", "Good", "Great", "Well", "Better", "Strategic", "Impact", "Price", "Street", "Sector", "Growth", "Income", "Rights", "Bonds", "Reliable", "Sterling", "Pound", "Euro", "Yen", "Rupee", "Dollar", "Equitas", "Vivid", "Matrix", "Vertex", "Zenith", "Summit", "Pinnacle",
        "Q1", "Q2", "Q3", "Q4", "H1", "H2", "FY", "AI", "EV", "IPO", "CEO", "Lotus", "Trident", "Orient", "Amber", "Emerald", "Sapphire", "Diamond", "Crystal", "Pearl",
    };

    /// <summary>Phrases that are no entity but would otherwise be read as one ("target price" is not Target Corporation).</summary>
    public static readonly string[] NotEntities =
    [
        "target price", "price target", "Target Price", "all-time high", "all time high", "Wall Street", "Dalal Street",
        "stock split", "Stock Split", "Central Bank", "central bank", "Nasdaq-listed", "Nasdaq listed",
    ];

    /// <summary>
    /// Names of Indian listings that are also the name of a foreign company listed on none of the loaded lists'
    /// markets (the parent: Siemens AG for Siemens Ltd, Nestle SA for Nestle India): the text's context decides
    /// (<see cref="MarketContext"/>), else the name stays unlinked.
    /// </summary>
    public static readonly HashSet<string> ForeignNamesakes = new(StringComparer.OrdinalIgnoreCase)
    {
        "Siemens", "Bosch", "Nestle", "Bayer", "BASF", "Schaeffler", "Castrol", "GlaxoSmithKline", "Hitachi", "Heidelberg",
        "HeidelbergCement", "Vesuvius", "Hyundai", "LG", "Siemens Energy", "Sanofi", "Novartis", "ABB", "SKF", "Gillette",
    };

    /// <summary>Legal names whose prefix would mislead: "Jio" alone is Reliance's telecom arm, not Jio Financial.</summary>
    public static readonly HashSet<string> BlockedAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        "Jio", "Central Bank", "State Bank",
    };
}
