namespace MarketPulse.Storage;

/// <summary>
/// A setting or a dependency that stops the process from starting. The host prints
/// <see cref="Exception.Message"/> as one line, without a stack trace.
/// </summary>
public sealed class StartupException : Exception
{
    public StartupException(string setting, string message, Exception? inner = null)
        : base($"{setting}: {message}", inner)
    {
        Setting = setting;
    }

    public StartupException()
    {
        Setting = "";
    }

    public StartupException(string message)
        : base(message)
    {
        Setting = "";
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = "";
    }

    /// <summary>The configuration key at fault, e.g. <c>ConnectionStrings:Raw</c>.</summary>
    public string Setting { get; }
}
