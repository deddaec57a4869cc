namespace MarketPulse.Tests.Foundation;

/// <summary>Waits for a condition on a loaded machine: polls until a generous deadline instead of sleeping a fixed time.</summary>
internal static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="probe"/> until it returns a value that passes <paramref name="done"/>; returns the last value either way.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? deadline = null)
    {
        var end = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > end)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }
}
