namespace MarketPulse.Cli;

/// <summary>A mistake in the command line found by a command itself: printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
