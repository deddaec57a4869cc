namespace MarketPulse.Tests.Foundation;

/// <summary>
/// Classes that start <c>marketpulse</c> child processes: one at a time, so that a loaded two-core
/// machine is not asked to boot several .NET processes at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ChildProcessCollection
{
    public const string Name = "marketpulse child processes";
}
