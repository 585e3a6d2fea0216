using Microsoft.Extensions.Time.Testing;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Oms;

/// <summary>
/// A submit's first attempt may go to the venue without the retry pipeline (no call timeout configured); these tests pin
/// down that a failed first attempt is still retried exactly as the pipeline alone would: after the backoff delay or the
/// venue's Retry-After, with the same number of attempts, and never when the caller already cancelled.
/// </summary>
public sealed class OrderManagerRetryTimingTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ScriptedBroker _broker = new();

    public static TheoryData<bool> WithAndWithoutCallTimeout => new() { true, false };

    private OrderManager CreateOms(bool callTimeout, int maxRetries = 3, double baseDelaySeconds = 1) => new(_broker, new NullRecorder(), new OmsOptions
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromSeconds(baseDelaySeconds),
        CallTimeout = callTimeout ? TimeSpan.FromMinutes(10) : Timeout.InfiniteTimeSpan,
    }, _time);

    private static OrderRequest Request(string id) => new()
    {
        ClientOrderId = new ClientOrderId(id),
        Symbol = "BTCUSDT",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = 1m,
        LimitPrice = 100m,
    };

    private static OrderContext Context() => new(new StrategyId("s1"), CorrelationId.New(), 100m, Start);

    [Theory]
    [MemberData(nameof(WithAndWithoutCallTimeout))]
    public async Task Submit_FirstAttemptTransientFailure_IsResentOnlyAfterTheBackoffDelay(bool callTimeout)
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        var oms = CreateOms(callTimeout);

        var submit = oms.SubmitAsync(Request("cid-backoff"), Context()).AsTask();
        Assert.Single(_broker.Submits);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(_broker.Submits);
        Assert.False(submit.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var outcome = await submit;

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(2, _broker.Submits.Count);
        Assert.All(_broker.Submits, r => Assert.Equal("cid-backoff", r.ClientOrderId.Value));
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutCallTimeout))]
    public async Task Submit_FirstAttemptRateLimited_WaitsForTheVenuesRetryAfter(bool callTimeout)
    {
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.RateLimited, "429", retryAfter: TimeSpan.FromSeconds(5)));
        var oms = CreateOms(callTimeout);

        var submit = oms.SubmitAsync(Request("cid-429"), Context()).AsTask();
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Single(_broker.Submits);

        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await submit;

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(2, _broker.Submits.Count);
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutCallTimeout))]
    public async Task Submit_EveryAttemptFailing_MakesOneAttemptPlusMaxRetries(bool callTimeout)
    {
        for (var i = 0; i < 5; i++)
        {
            _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        }

        // No delay: the count of attempts is the point here, and the fake clock would have to be advanced from inside the retries.
        var oms = CreateOms(callTimeout, maxRetries: 2, baseDelaySeconds: 0);
        var outcome = await oms.SubmitAsync(Request("cid-exhausted"), Context());

        Assert.Equal(SubmitStatus.Failed, outcome.Status);
        Assert.Equal(3, _broker.Submits.Count);
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutCallTimeout))]
    public async Task Submit_WithCancelledToken_MakesNoVenueCall(bool callTimeout)
    {
        var oms = CreateOms(callTimeout);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await oms.SubmitAsync(Request("cid-cancelled"), Context(), cancelled.Token));

        Assert.Empty(_broker.Submits);
    }

    private sealed class NullRecorder : IOrderRecorder
    {
        public ValueTask RecordAsync(OrderChange change, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutCallTimeout))]
    public async Task Submit_OnASimulationClock_TakesTheBackoffByMovingTheClock_SoABacktestNeverWaitsInRealTime(bool callTimeout)
    {
        var clock = new TradingKit.Time.SimulationTimeProvider(Start);
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        _broker.SubmitScript.Enqueue(_ => throw new BrokerException(BrokerErrorKind.Transient, "503"));
        var oms = new OrderManager(_broker, new NullRecorder(), new OmsOptions
        {
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMinutes(1),
            CallTimeout = callTimeout ? TimeSpan.FromMinutes(10) : Timeout.InfiniteTimeSpan,
        }, clock);

        var outcome = await oms.SubmitAsync(Request("cid-sim"), Context());

        Assert.Equal(SubmitStatus.Accepted, outcome.Status);
        Assert.Equal(3, _broker.Submits.Count);

        // One minute after the first failure, two after the second: on the engine's clock.
        Assert.Equal(Start + TimeSpan.FromMinutes(3), clock.GetUtcNow());
    }
}
