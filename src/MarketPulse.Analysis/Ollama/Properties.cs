using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MarketPulse.Analysis.Tests")]
