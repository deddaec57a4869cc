using MarketPulse.Analysis.Ollama;

namespace MarketPulse.Analysis.Tests.Ollama;

public sealed class CircuitBreakerTests
{
    [Fact]
    public void Opens_after_consecutive_failures_and_then_refuses_calls()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(3, TimeSpan.FromSeconds(30), clock);

        Assert.False(Fail(breaker));
        Assert.False(Fail(breaker));
        Assert.True(Fail(breaker));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Fact]
    public void Success_resets_the_count_of_consecutive_failures()
    {
        var breaker = new CircuitBreaker(2, TimeSpan.FromSeconds(30), new ManualTimeProvider());

        Fail(breaker);
        Assert.True(breaker.TryEnter(out _, out _));
        breaker.RecordSuccess();
        Fail(breaker);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Half_open_circuit_admits_one_trial_and_reopens_when_it_fails()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(30), clock);
        Fail(breaker);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _, out var isTrial));
        Assert.True(isTrial);
        Assert.False(breaker.TryEnter(out var whileTrial, out _));
        Assert.Equal(TimeSpan.Zero, whileTrial);

        Assert.True(breaker.RecordFailure(isTrial));
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Abandoned_trial_frees_the_slot_for_the_next_caller()
    {
        var clock = new ManualTimeProvider();
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(30), clock);
        Fail(breaker);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(breaker.TryEnter(out _, out var isTrial));
        breaker.RecordAbandoned(isTrial);

        Assert.True(breaker.TryEnter(out _, out var secondIsTrial));
        Assert.True(secondIsTrial);
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    private static bool Fail(CircuitBreaker breaker)
    {
        Assert.True(breaker.TryEnter(out _, out var isTrial));
        return breaker.RecordFailure(isTrial);
    }
}
