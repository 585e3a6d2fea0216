using System.Globalization;
using TradingKit.Brokers;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Orders;

namespace TradingKit.Connectivity;

/// <summary>Where a fill or status was first seen.</summary>
public enum MergeSource
{
    /// <summary>The venue's push stream (WebSocket).</summary>
    Stream = 1,

    /// <summary>A poll of the venue's REST queries.</summary>
    Poll = 2,
}

/// <summary>Options of the <see cref="VenueEventMerger"/>.</summary>
public sealed class VenueEventMergerOptions
{
    /// <summary>How often to poll while the stream is connected (polling converges even when the stream silently lost a message).</summary>
    /// <value>Defaults to 30 s.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often to poll while the stream is down: polling covers the gap (seed 003: fill detection &lt; 30 s without the stream).</summary>
    /// <value>Defaults to 2 s.</value>
    public TimeSpan DisconnectedPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How far before the newest fill seen each poll asks for fills again, so a fill the venue publishes late is not skipped.</summary>
    /// <value>Defaults to 5 min.</value>
    public TimeSpan FillLookback { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks the options.</summary>
    /// <exception cref="TradingKitException">A non-positive interval or a negative lookback (<c>INVALID_OPTIONS</c>).</exception>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero || DisconnectedPollInterval <= TimeSpan.Zero || FillLookback < TimeSpan.Zero)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Merger options: poll intervals must be positive and FillLookback not negative.");
        }
    }
}

/// <summary>Fill detection latency (venue execution time to first sight, on the engine clock) of one source.</summary>
/// <param name="Count">Fills first seen from this source.</param>
/// <param name="Max">The largest latency.</param>
/// <param name="Total">The sum of latencies.</param>
public readonly record struct FillLatencyStats(int Count, TimeSpan Max, TimeSpan Total)
{
    /// <summary>The mean latency, or zero without samples.</summary>
    public TimeSpan Mean => Count == 0 ? TimeSpan.Zero : Total / Count;

    internal FillLatencyStats Add(TimeSpan latency) => new(Count + 1, latency > Max ? latency : Max, Total + latency);
}

/// <summary>What one merge step produced: reports to apply (each fill and status once) and connection events to record.</summary>
/// <param name="Reports">Execution reports, de-duplicated, fills before statuses; hand them to the OMS in order.</param>
/// <param name="Events">Connection events (<c>venue_connected</c>, <c>venue_disconnected</c>, <c>venue_reconnected</c>) to record.</param>
/// <param name="PollFailure">Why a poll failed, or null; the next poll tick retries.</param>
public sealed record MergeBatch(IReadOnlyList<ExecutionReport> Reports, IReadOnlyList<ITradingEvent> Events, string? PollFailure = null)
{
    /// <summary>Nothing.</summary>
    public static MergeBatch Empty { get; } = new([], []);
}

/// <summary>
/// Merges a venue's push stream with its poll queries (UC-03, UC-08; principle: streams are hints, polling converges):
/// every fill and every status reaches the OMS once, whichever source saw it first. Fills are keyed by trade id;
/// statuses by (client order id, status, cumulative quantity). It follows the stream's connection through
/// <see cref="ConnectionStateMachine"/>, polls faster while the stream is down and at once after it comes back, and
/// records fill detection latency per source.
/// </summary>
/// <remarks>
/// Reports the poll cannot produce (triggers, modify confirmations, refused cancels and modifies) pass through from the
/// stream unchanged: the order state machine makes them idempotent. Not thread-safe: run it on the engine loop.
/// </remarks>
public sealed class VenueEventMerger
{
    private readonly string _venue;
    private readonly TimeProvider _time;
    private readonly VenueEventMergerOptions _options;
    private readonly HashSet<TradeId> _fills = [];
    private readonly HashSet<(ClientOrderId, OrderStatus, decimal)> _statuses = [];
    private readonly Dictionary<ClientOrderId, Symbol> _open = [];
    private DateTimeOffset _fillWatermark;
    private DateTimeOffset? _lastPollAt;
    private DateTimeOffset? _downSince;
    private bool _everConnected;
    private bool _pollRequested = true;
    private int _attempts;

    /// <summary>Creates a merger.</summary>
    /// <param name="venueName">The venue's name, for connection events.</param>
    /// <param name="timeProvider">The engine clock.</param>
    /// <param name="since">The earliest fill time to poll for (the session's start).</param>
    /// <param name="options">Options; defaults when null. Validated.</param>
    public VenueEventMerger(string venueName, TimeProvider timeProvider, DateTimeOffset since, VenueEventMergerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(venueName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options ?? new VenueEventMergerOptions();
        _options.Validate();
        _venue = venueName;
        _time = timeProvider;
        _fillWatermark = since + _options.FillLookback;
    }

    /// <summary>The stream's connection state.</summary>
    public ConnectionState State { get; private set; } = ConnectionState.Disconnected;

    /// <summary>Fill detection latency of fills first seen on the stream.</summary>
    public FillLatencyStats StreamLatency { get; private set; }

    /// <summary>Fill detection latency of fills first seen by a poll.</summary>
    public FillLatencyStats PollLatency { get; private set; }

    /// <summary>Fills and statuses dropped because the other source (or the same one) had delivered them already.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Raised when a fill is first seen, with its source and detection latency (for metrics).</summary>
    public event Action<MergeSource, TimeSpan>? FillDetected;

    /// <summary>True when a poll is due: its interval (shorter while the stream is down) has passed, or the stream just came back.</summary>
    /// <param name="now">The engine time.</param>
    /// <returns>Whether to poll.</returns>
    public bool IsPollDue(DateTimeOffset now)
    {
        if (_pollRequested || _lastPollAt is not { } last)
        {
            return true;
        }

        return now - last >= (State == ConnectionState.Connected ? _options.PollInterval : _options.DisconnectedPollInterval);
    }

    /// <summary>Takes one event from the venue's stream.</summary>
    /// <param name="venueEvent">The event.</param>
    /// <returns>What to apply and record.</returns>
    public MergeBatch OnStream(VenueEvent venueEvent)
    {
        ArgumentNullException.ThrowIfNull(venueEvent);
        switch (venueEvent)
        {
            case ConnectionStateChanged change:
                return new MergeBatch([], OnConnection(change));
            case ExecutionReport { Kind: ExecutionKind.Trade, Fill: { } fill } report:
                if (!FirstFill(fill, MergeSource.Stream))
                {
                    return MergeBatch.Empty;
                }

                Track(report.ClientOrderId, report.Symbol, report.Status, report.CumulativeQuantity);
                return new MergeBatch([report], []);
            case ExecutionReport { Kind: ExecutionKind.Accepted or ExecutionKind.Cancelled or ExecutionKind.Expired or ExecutionKind.Rejected } report:
                if (!Track(report.ClientOrderId, report.Symbol, report.Status, report.CumulativeQuantity))
                {
                    Duplicates++;
                    return MergeBatch.Empty;
                }

                return new MergeBatch([report], []);
            case ExecutionReport report:
                return new MergeBatch([report], []);
            default:
                return MergeBatch.Empty;
        }
    }

    /// <summary>Takes one poll's results: the venue's open orders and its fills since the watermark.</summary>
    /// <param name="openOrders">The open orders.</param>
    /// <param name="fills">The fills.</param>
    /// <returns>What to apply (fills first), and the client order ids that left the open list and should be queried.</returns>
    public (MergeBatch Batch, IReadOnlyList<(ClientOrderId Id, Symbol Symbol)> Vanished) OnPoll(IReadOnlyList<VenueOrderState> openOrders, IReadOnlyList<Fill> fills)
    {
        ArgumentNullException.ThrowIfNull(openOrders);
        ArgumentNullException.ThrowIfNull(fills);
        var now = _time.GetUtcNow();
        _lastPollAt = now;
        _pollRequested = false;
        var reports = new List<ExecutionReport>();
        foreach (var fill in fills)
        {
            if (FirstFill(fill, MergeSource.Poll))
            {
                reports.Add(new ExecutionReport(fill.Timestamp)
                {
                    Kind = ExecutionKind.Trade,
                    ClientOrderId = fill.ClientOrderId,
                    VenueOrderId = fill.VenueOrderId,
                    Symbol = fill.Symbol,
                    Side = fill.Side,
                    Status = OrderStatus.PartiallyFilled,
                    Fill = fill,
                    Reason = "found by poll",
                });
            }
        }

        var stillOpen = new HashSet<ClientOrderId>();
        foreach (var state in openOrders)
        {
            stillOpen.Add(state.ClientOrderId);
            var kind = state.Status switch
            {
                OrderStatus.Acknowledged => ExecutionKind.Accepted,
                OrderStatus.Triggered => ExecutionKind.Triggered,
                _ => (ExecutionKind)0,
            };
            if (Track(state.ClientOrderId, state.Symbol, state.Status, state.FilledQuantity) && kind != 0)
            {
                reports.Add(StatusReport(state, kind, now, "found by poll"));
            }
        }

        var vanished = _open.Where(p => !stillOpen.Contains(p.Key)).Select(p => (p.Key, p.Value)).ToList();
        return (new MergeBatch(reports, []), vanished);
    }

    /// <summary>Takes the answer to a query of an order that left the open list: its final status, once.</summary>
    /// <param name="state">The venue's state, or null when the venue does not know the order.</param>
    /// <param name="clientOrderId">The order queried.</param>
    /// <returns>What to apply.</returns>
    public MergeBatch OnQueried(ClientOrderId clientOrderId, VenueOrderState? state)
    {
        if (state is null)
        {
            _open.Remove(clientOrderId);
            return MergeBatch.Empty;
        }

        var kind = state.Status switch
        {
            OrderStatus.Cancelled => ExecutionKind.Cancelled,
            OrderStatus.Expired => ExecutionKind.Expired,
            OrderStatus.Rejected => ExecutionKind.Rejected,
            _ => (ExecutionKind)0,
        };
        if (!Track(state.ClientOrderId, state.Symbol, state.Status, state.FilledQuantity) || kind == 0)
        {
            return MergeBatch.Empty;
        }

        return new MergeBatch([StatusReport(state, kind, _time.GetUtcNow(), "found by poll")], []);
    }

    /// <summary>Polls the venue (open orders, fills since the watermark, then a query per order that left the open list) and merges the answers.</summary>
    /// <param name="broker">The venue.</param>
    /// <param name="cancellationToken">Cancels the poll.</param>
    /// <returns>What to apply; <see cref="MergeBatch.PollFailure"/> is set when a read failed (the next tick retries).</returns>
    public async ValueTask<MergeBatch> PollAsync(IBrokerAdapter broker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        IReadOnlyList<VenueOrderState> open;
        IReadOnlyList<Fill> fills;
        try
        {
            open = await broker.GetOpenOrdersAsync(null, cancellationToken).ConfigureAwait(false);
            fills = await broker.GetRecentFillsAsync(null, _fillWatermark - _options.FillLookback, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerException or TimeoutException)
        {
            _lastPollAt = _time.GetUtcNow();
            return new MergeBatch([], [], ex.Message);
        }

        var (batch, vanished) = OnPoll(open, fills);
        if (vanished.Count == 0)
        {
            return batch;
        }

        var reports = new List<ExecutionReport>(batch.Reports);
        foreach (var (id, symbol) in vanished)
        {
            try
            {
                var state = await broker.QueryOrderAsync(symbol, id, cancellationToken).ConfigureAwait(false);
                reports.AddRange(OnQueried(id, state).Reports);
            }
            catch (Exception ex) when (ex is BrokerException or TimeoutException)
            {
                return new MergeBatch(reports, [], ex.Message);
            }
        }

        return new MergeBatch(reports, []);
    }

    private static ExecutionReport StatusReport(VenueOrderState state, ExecutionKind kind, DateTimeOffset now, string reason)
        => new(state.UpdatedAt == default ? now : state.UpdatedAt)
        {
            Kind = kind,
            ClientOrderId = state.ClientOrderId,
            VenueOrderId = state.VenueOrderId,
            Symbol = state.Symbol,
            Side = state.Side,
            Status = state.Status,
            OrderQuantity = state.Quantity,
            CumulativeQuantity = state.FilledQuantity,
            Reason = reason,
        };

    private bool FirstFill(Fill fill, MergeSource source)
    {
        if (!_fills.Add(fill.TradeId))
        {
            Duplicates++;
            return false;
        }

        if (fill.Timestamp > _fillWatermark)
        {
            _fillWatermark = fill.Timestamp;
        }

        var latency = _time.GetUtcNow() - fill.Timestamp;
        latency = latency < TimeSpan.Zero ? TimeSpan.Zero : latency;
        if (source == MergeSource.Stream)
        {
            StreamLatency = StreamLatency.Add(latency);
        }
        else
        {
            PollLatency = PollLatency.Add(latency);
        }

        FillDetected?.Invoke(source, latency);
        return true;
    }

    /// <summary>Remembers a status; false when it was already seen.</summary>
    private bool Track(ClientOrderId id, Symbol symbol, OrderStatus status, decimal cumulative)
    {
        if (OrderStateMachine.IsTerminal(status))
        {
            _open.Remove(id);
        }
        else
        {
            _open[id] = symbol;
        }

        // Normalised so that 2 and 2.00 are the same quantity.
        return _statuses.Add((id, status, cumulative / 1.000000000000000000000000000000000m));
    }

    private List<ITradingEvent> OnConnection(ConnectionStateChanged change)
    {
        var events = new List<ITradingEvent>();
        var now = change.Timestamp;
        var reason = change.Reason ?? change.State.ToString();
        switch (change.State)
        {
            case ConnectionState.Connected:
                if (State == ConnectionState.Disconnected)
                {
                    Move(ConnectionState.Connecting);
                }

                if (State == ConnectionState.Connected)
                {
                    break;
                }

                var wasDown = State == ConnectionState.Reconnecting || (_everConnected && State == ConnectionState.Connecting);
                Move(ConnectionState.Connected);
                if (wasDown && _downSince is { } since)
                {
                    events.Add(new VenueReconnected(_venue, "user", Math.Max(1, _attempts), now - since));
                    _pollRequested = true;
                }
                else
                {
                    events.Add(new VenueConnected(_venue, "user"));
                }

                _everConnected = true;
                _downSince = null;
                _attempts = 0;
                break;
            case ConnectionState.Reconnecting or ConnectionState.Disconnected when State == ConnectionState.Connected:
                Move(ConnectionState.Reconnecting);
                _downSince = now;
                _attempts = 1;
                events.Add(new VenueDisconnected(_venue, "user", reason));
                break;
            case ConnectionState.Reconnecting or ConnectionState.Connecting:
                if (State == ConnectionState.Disconnected)
                {
                    Move(ConnectionState.Connecting);
                }

                _attempts++;
                break;
            case ConnectionState.Disconnected when State != ConnectionState.Disconnected:
                Move(ConnectionState.Disconnected);
                _downSince ??= now;
                events.Add(new VenueDisconnected(_venue, "user", string.Create(CultureInfo.InvariantCulture, $"gave up: {reason}")));
                break;
        }

        return events;
    }

    private void Move(ConnectionState next)
    {
        ConnectionStateMachine.Transition(State, next);
        State = next;
    }
}
