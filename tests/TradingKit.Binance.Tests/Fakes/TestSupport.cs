using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TradingKit.Binance.Configuration;
using TradingKit.Brokers;

namespace TradingKit.Binance.Tests.Fakes;

/// <summary>A <see cref="FakeTimeProvider"/> that tells tests when a timer is armed, so they advance time only after it.</summary>
public sealed class SignalingTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource Tcs)> _waiters = [];

    public SignalingTimeProvider()
        : base(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        List<TaskCompletionSource> fire = [];
        lock (_gate)
        {
            _armed.Add(dueTime);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(dueTime))
                {
                    fire.Add(_waiters[i].Tcs);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in fire)
        {
            tcs.TrySetResult();
        }

        return timer;
    }

    /// <summary>Completes when a timer with exactly this due time is (or was, since <paramref name="sinceCount"/>) armed.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, int sinceCount = 0) => WaitForTimerAsync(d => d == dueTime, sinceCount);

    public Task WaitForTimerAsync(Func<TimeSpan, bool> match, int sinceCount = 0)
    {
        lock (_gate)
        {
            if (_armed.Skip(sinceCount).Any(match))
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task;
        }
    }

    public int ArmedCount
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }
}

/// <summary>Keeps every formatted log line, exception text included.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>A fake venue plus a broker pointed at it, sharing one fake clock.</summary>
public sealed class Harness : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private Harness(FakeBinance venue, BinanceUsdmBroker broker, SignalingTimeProvider time, CapturingLoggerProvider logs, BinanceUsdmOptions options)
    {
        Venue = venue;
        Broker = broker;
        Time = time;
        Logs = logs;
        Options = options;
    }

    public FakeBinance Venue { get; }

    public BinanceUsdmBroker Broker { get; }

    public SignalingTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public BinanceUsdmOptions Options { get; }

    public static async Task<Harness> StartAsync(Action<BinanceUsdmOptions>? configure = null)
    {
        var time = new SignalingTimeProvider();
        var venue = await FakeBinance.StartAsync(time.GetUtcNow);
        var options = new BinanceUsdmOptions
        {
            Environment = BinanceEnvironment.Testnet,
            RestBaseUrl = venue.RestBaseUrl,
            StreamBaseUrl = venue.StreamBaseUrl,
            ApiKey = FakeBinance.ApiKey,
            ApiSecret = FakeBinance.ApiSecret,
        };
        options.Symbols.Add("BTCUSDT");
        configure?.Invoke(options);
        var logs = new CapturingLoggerProvider();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var broker = new BinanceUsdmBroker(options, time, factory);
        return new Harness(venue, broker, time, logs, options);
    }

    /// <summary>Reads events until one matches, bounded by a generous timeout that only fires on failure.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? match = null)
        where T : VenueEvent
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var e = await Broker.Events.ReadAsync(cts.Token);
            if (e is T t && (match is null || match(t)))
            {
                return t;
            }
        }
    }

    /// <summary>Everything already on the event channel, without waiting.</summary>
    public List<VenueEvent> Drain()
    {
        var list = new List<VenueEvent>();
        while (Broker.Events.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        await Venue.DisposeAsync();
    }
}

public static class TaskBounds
{
    /// <summary>Awaits with a generous bound that only fires when the behaviour is broken.</summary>
    public static Task Bounded(this Task task) => task.WaitAsync(Harness.Wait);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Harness.Wait);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Harness.Wait);

    public static Task Bounded(this ValueTask task) => task.AsTask().WaitAsync(Harness.Wait);
}
