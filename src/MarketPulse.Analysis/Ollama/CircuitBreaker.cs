namespace MarketPulse.Analysis.Ollama;

/// <summary>
/// Counts consecutive failed calls; after <c>failureThreshold</c> of them the circuit opens and calls fail fast
/// for <c>openDuration</c>. Then one trial call is let through (half-open): success closes the circuit,
/// failure opens it again. Thread-safe; one instance guards one downstream server.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly Lock _gate = new();
    private readonly int _failureThreshold;
    private readonly TimeSpan _openDuration;
    private readonly TimeProvider _time;
    private int _consecutiveFailures;
    private DateTimeOffset? _openUntil;
    private bool _trialInFlight;

    public CircuitBreaker(int failureThreshold, TimeSpan openDuration, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(openDuration, TimeSpan.Zero);
        _failureThreshold = failureThreshold;
        _openDuration = openDuration;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Current state, for logs and health checks.</summary>
    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                if (_openUntil is null)
                {
                    return CircuitState.Closed;
                }

                return _time.GetUtcNow() < _openUntil ? CircuitState.Open : CircuitState.HalfOpen;
            }
        }
    }

    /// <summary>
    /// Asks to make a call. Returns <c>true</c> when the call may go ahead, with <paramref name="isTrial"/> set
    /// when it is the single half-open trial; otherwise <paramref name="retryAfter"/> says how long the circuit
    /// stays open (zero while a trial call is in flight). Every admitted call must end in exactly one
    /// <see cref="RecordSuccess"/>, <see cref="RecordFailure"/> or <see cref="RecordAbandoned"/>.
    /// </summary>
    public bool TryEnter(out TimeSpan retryAfter, out bool isTrial)
    {
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            isTrial = false;
            if (_openUntil is not { } openUntil)
            {
                return true;
            }

            var now = _time.GetUtcNow();
            if (now < openUntil)
            {
                retryAfter = openUntil - now;
                return false;
            }

            if (_trialInFlight)
            {
                return false;
            }

            _trialInFlight = true;
            isTrial = true;
            return true;
        }
    }

    /// <summary>Records a call that reached the server and got an answer: the circuit closes.</summary>
    public void RecordSuccess()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _openUntil = null;
            _trialInFlight = false;
        }
    }

    /// <summary>Records a call that failed for good (after its retries). Returns <c>true</c> if this opened the circuit.</summary>
    public bool RecordFailure(bool isTrial)
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            if (isTrial)
            {
                _trialInFlight = false;
                _openUntil = _time.GetUtcNow() + _openDuration;
                return true;
            }

            if (_openUntil is null && _consecutiveFailures >= _failureThreshold)
            {
                _openUntil = _time.GetUtcNow() + _openDuration;
                return true;
            }

            return false;
        }
    }

    /// <summary>Ends a call that got no verdict on the server (e.g. the caller cancelled).</summary>
    public void RecordAbandoned(bool isTrial)
    {
        if (!isTrial)
        {
            return;
        }

        lock (_gate)
        {
            _trialInFlight = false;
        }
    }
}

/// <summary>State of a <see cref="CircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls go through.</summary>
    Closed,

    /// <summary>Calls fail fast.</summary>
    Open,

    /// <summary>The open period is over; the next call is a trial.</summary>
    HalfOpen,
}
