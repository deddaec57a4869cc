using Xunit;

namespace MarketPulse.Testing;

/// <summary>
/// Waits for a condition on a loaded machine: polls until a generous deadline instead of sleeping a fixed time.
/// The one polling helper of the tests.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

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

            await Task.Delay(Interval);
        }
    }

    /// <summary>
    /// Like <see cref="UntilAsync"/>, but fails the test, naming <paramref name="what"/>, when the deadline
    /// (by default twice <see cref="Deadline"/>: a failure here ends the test) passes.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? deadline = null)
    {
        var value = await UntilAsync(probe, done, deadline ?? (2 * Deadline));
        Assert.True(done(value), $"{what}: not reached in time; last value: {value}");
        return value;
    }

    /// <summary>Calls <paramref name="call"/> again while it throws an exception <paramref name="transient"/> accepts, until the deadline.</summary>
    public static async Task<T> UntilSucceedsAsync<T>(Func<Task<T>> call, Func<Exception, bool> transient, TimeSpan? deadline = null)
    {
        var end = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (transient(e) && DateTime.UtcNow < end)
            {
                await Task.Delay(Interval);
            }
        }
    }
}
