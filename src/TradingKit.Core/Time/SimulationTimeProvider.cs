namespace TradingKit.Time;

/// <summary>
/// A clock that only moves when told: the engine advances it to each market data item's time when
/// replaying history, so a backtest or replay runs as fast as the CPU allows and is repeatable.
/// </summary>
/// <remarks>Timers are not supported: the engine schedules its own timers against this clock.</remarks>
public sealed class SimulationTimeProvider : TimeProvider
{
    // Read on every stage of every input: a volatile read (atomic for 64 bits on every .NET platform) costs nothing, where an
    // interlocked read is a locked compare-exchange that takes the cache line exclusively.
    private long _utcTicks;

    /// <summary>Creates a clock set to <paramref name="start"/>.</summary>
    /// <param name="start">The initial time.</param>
    public SimulationTimeProvider(DateTimeOffset start) => _utcTicks = start.UtcTicks;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Volatile.Read(ref _utcTicks), TimeSpan.Zero);

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _utcTicks);

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward to <paramref name="time"/>; never backwards.</summary>
    /// <param name="time">The new time.</param>
    public void AdvanceTo(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        if (ticks > Volatile.Read(ref _utcTicks))
        {
            Volatile.Write(ref _utcTicks, ticks);
        }
    }

    /// <summary>
    /// Waits <paramref name="delay"/> on <paramref name="timeProvider"/>'s clock. A simulation clock cannot move while
    /// the loop that drives it waits, so on a <see cref="SimulationTimeProvider"/> the wait is the clock moving forward
    /// by the delay, at once and deterministically; on any other clock it is <c>Task.Delay</c> on that clock.
    /// </summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="delay">How long.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the time has passed.</returns>
    public static Task DelayAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (timeProvider is SimulationTimeProvider simulation)
        {
            cancellationToken.ThrowIfCancellationRequested();
            simulation.AdvanceTo(simulation.GetUtcNow() + delay);
            return Task.CompletedTask;
        }

        return Task.Delay(delay, timeProvider, cancellationToken);
    }
}
