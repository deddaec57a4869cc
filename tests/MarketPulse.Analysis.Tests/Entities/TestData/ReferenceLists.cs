namespace MarketPulse.Analysis.Tests.Entities.TestData;

/// <summary>
/// A few rows of each securities reference list, in the publishers' formats (NSE's leading spaces in
/// headers, quoted CSV cells, Nasdaq's pipe files with CRLF and a footer). Written to a temp folder at
/// test time because the test project copies no data files.
/// </summary>
public static class ReferenceLists
{
    public const string NseEquityList =
        """
        SYMBOL,NAME OF COMPANY, SERIES, DATE OF LISTING, PAID UP VALUE, MARKET LOT, ISIN NUMBER, FACE VALUE
        360ONE,360 ONE WAM LIMITED,EQ,19-SEP-2019,1,1,INE466L01038,1
        HDFCBANK,HDFC Bank Limited,EQ,08-NOV-1995,1,1,INE040A01034,1
        IDEA,Vodafone Idea Limited,EQ,09-MAR-2007,10,1,INE669E01016,10
        INFY,Infosys Limited,EQ,08-FEB-1995,5,1,INE009A01021,5
        ITC,ITC Limited,EQ,23-AUG-1995,1,1,INE154A01025,1
        JIOFIN,Jio Financial Services Limited,EQ,21-AUG-2023,10,1,INE758E01017,10
        RELIANCE,Reliance Industries Limited,EQ,29-NOV-1995,10,1,INE002A01018,10
        RPOWER,Reliance Power Limited,EQ,11-FEB-2008,10,1,INE614G01033,10
        TCS,Tata Consultancy Services Limited,EQ,25-AUG-2004,1,1,INE467B01029,1
        TITAN,Titan Company Limited,EQ,19-JUN-1995,1,1,INE280A01028,1
        ADANIPORTS,Adani Ports and Special Economic Zone Limited,EQ,27-NOV-2007,2,1,INE742F01042,2
        SIEMENS,Siemens Limited,EQ,06-SEP-1995,2,1,INE003A01024,2
        PFIZER,Pfizer Limited,EQ,28-APR-1999,10,1,INE182A01018,10
        """;

    public const string Nifty50List =
        """
        Company Name,Industry,Symbol,Series,ISIN Code
        Adani Ports and Special Economic Zone Ltd.,Services,ADANIPORTS,EQ,INE742F01042
        HDFC Bank Ltd.,Financial Services,HDFCBANK,EQ,INE040A01034
        ITC Ltd.,Fast Moving Consumer Goods,ITC,EQ,INE154A01025
        Infosys Ltd.,Information Technology,INFY,EQ,INE009A01021
        Jio Financial Services Ltd.,Financial Services,JIOFIN,EQ,INE758E01017
        Reliance Industries Ltd.,Oil Gas & Consumable Fuels,RELIANCE,EQ,INE002A01018
        Tata Consultancy Services Ltd.,Information Technology,TCS,EQ,INE467B01029
        Titan Company Ltd.,Consumer Durables,TITAN,EQ,INE280A01028
        """;

    public const string Sp500 =
        """
        Symbol,Security,GICS Sector,GICS Sub-Industry,Headquarters Location,Date added,CIK,Founded
        AAPL,Apple Inc.,Information Technology,"Technology Hardware, Storage & Peripherals","Cupertino, California",1982-11-30,320193,1977
        ALL,Allstate,Financials,Property & Casualty Insurance,"Northfield Township, Illinois",1995-07-13,899051,1931
        DOW,Dow Inc.,Materials,Commodity Chemicals,"Midland, Michigan",2019-04-01,1751788,2019
        GOOGL,Alphabet Inc. (Class A),Communication Services,Interactive Media & Services,"Mountain View, California",2014-04-03,1652044,1998
        GOOG,Alphabet Inc. (Class C),Communication Services,Interactive Media & Services,"Mountain View, California",2006-04-03,1652044,1998
        IBM,IBM,Information Technology,IT Consulting & Other Services,"Armonk, New York",1957-03-04,51143,1911
        IT,Gartner,Information Technology,IT Consulting & Other Services,"Stamford, Connecticut",2017-04-05,749251,1979
        NOW,ServiceNow,Information Technology,Systems Software,"Santa Clara, California",2019-11-21,1373715,2003
        PFE,Pfizer,Health Care,Pharmaceuticals,"New York City, New York",1957-03-04,78003,1849
        ON,ON Semiconductor,Information Technology,Semiconductors,"Scottsdale, Arizona",2022-06-21,1097864,1999
        TGT,Target Corporation,Consumer Staples,Consumer Staples Merchandise Retail,"Minneapolis, Minnesota",1976-12-31,27419,1902
        V,Visa Inc.,Financials,Transaction & Payment Processing Services,"San Francisco, California",2009-12-21,1403161,1958
        """;

    public const string NasdaqListed =
        "Symbol|Security Name|Market Category|Test Issue|Financial Status|Round Lot Size|ETF|NextShares\r\n" +
        "AAPL|Apple Inc. - Common Stock|Q|N|N|100|N|N\r\n" +
        "CASH|Pathward Financial, Inc. - Common Stock|Q|N|N|100|N|N\r\n" +
        "GOOG|Alphabet Inc. - Class C Capital Stock|Q|N|N|100|N|N\r\n" +
        "GOOGL|Alphabet Inc. - Class A Common Stock|Q|N|N|100|N|N\r\n" +
        "ON|ON Semiconductor Corporation - Common Stock|Q|N|N|100|N|N\r\n" +
        "RIVN|Rivian Automotive, Inc. - Class A Common Stock|Q|N|N|100|N|N\r\n" +
        "ZOOZW|ZOOZ Power Ltd. - Warrant|S|N|N|100|N|N\r\n" +
        "ZXZZT|NASDAQ TEST STOCK - Nextshares Test Security|Q|Y|N|100|N|N\r\n" +
        "File Creation Time: 0303202606:00|||||||\r\n";

    public const string OtherListed =
        "ACT Symbol|Security Name|Exchange|CQS Symbol|ETF|Round Lot Size|Test Issue|NASDAQ Symbol\r\n" +
        "ALL|Allstate Corporation (The) Common Stock|N|ALL|N|100|N|ALL\r\n" +
        "DOW|Dow Inc. Common Stock|N|DOW|N|100|N|DOW\r\n" +
        "GAP|Gap, Inc. (The) Common Stock|N|GAP|N|100|N|GAP\r\n" +
        "IBM|International Business Machines Corporation Common Stock|N|IBM|N|40|N|IBM\r\n" +
        "INFY|Infosys Limited American Depositary Shares|N|INFY|N|100|N|INFY\r\n" +
        "IT|Gartner, Inc. Common Stock|N|IT|N|100|N|IT\r\n" +
        "NOW|ServiceNow, Inc. Common Stock|N|NOW|N|40|N|NOW\r\n" +
        "ONON|On Holding AG Class A Ordinary Shares|N|ONON|N|100|N|ONON\r\n" +
        "SPY|SPDR S&P 500 ETF Trust|P|SPY|Y|100|N|SPY\r\n" +
        "TGT|Target Corporation Common Stock|N|TGT|N|100|N|TGT\r\n" +
        "V|Visa Inc.|N|V|N|40|N|V\r\n" +
        "File Creation Time: 0303202606:00||||||\r\n";

    /// <summary>Writes the lists under their publishers' file names into <paramref name="folder"/>.</summary>
    public static void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nse_equity_list.csv"), NseEquityList);
        File.WriteAllText(Path.Combine(folder, "ind_nifty50list.csv"), Nifty50List);
        File.WriteAllText(Path.Combine(folder, "sp500_constituents.csv"), Sp500);
        File.WriteAllText(Path.Combine(folder, "nasdaqlisted.txt"), NasdaqListed);
        File.WriteAllText(Path.Combine(folder, "otherlisted.txt"), OtherListed);
    }
}

/// <summary>One catalog loaded from <see cref="ReferenceLists"/>, shared by the tests of a class.</summary>
public sealed class ReferenceListsFixture : IDisposable
{
    public ReferenceListsFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "marketpulse-securities-" + Guid.NewGuid().ToString("N"));
        ReferenceLists.WriteTo(Folder);
        Catalog = MarketPulse.Analysis.Entities.SecurityCatalog.Load(Folder);
    }

    public string Folder { get; }

    public MarketPulse.Analysis.Entities.SecurityCatalog Catalog { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
