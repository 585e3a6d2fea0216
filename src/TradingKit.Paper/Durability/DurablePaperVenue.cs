using System.Threading.Channels;
using TradingKit.Brokers;
using TradingKit.Connectivity;
using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Durability;

/// <summary>
/// A paper venue that outlives the process: a <see cref="PaperVenue"/> whose every state-changing input (connects, submits,
/// cancels, modifies, market data, advances) is kept in an <see cref="IPaperVenueStore"/>, apart from the engine's log,
/// before the venue acts on it and answers. Opening it on a store with state replays those inputs into a fresh venue, so a
/// crashed client reconnects to a venue that remembers its orders, fills, positions, cash, pending reports and how far it
/// has played the market.
/// </summary>
/// <remarks>
/// <para>Replay is exact because the venue is deterministic given its options (fault seed included) and its inputs with
/// their times: each call runs on a clock pinned to the time recorded for it. Reports the venue had already published
/// before the crash are not published again (a client that missed them asks with queries, as after a dropped socket);
/// reports still waiting for their latency are published when due.</para>
/// <para>Market data already played is not played again: an item older than the last one played for its symbol, or equal
/// to it, is ignored. A resumed session may therefore hand the venue the last item it saw before the crash.</para>
/// <para>Queries are answered from memory and not recorded: they change nothing.</para>
/// </remarks>
public sealed class DurablePaperVenue : IBrokerAdapter, IMarketDataListener, IDisposable
{
    private readonly PaperVenue _venue;
    private readonly IPaperVenueStore _store;
    private readonly TimeProvider _time;
    private readonly PinnedClock _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<Symbol, MarketDataEvent> _played = [];
    private long _sequence;
    private PaperVenueStoreException? _failure;

    private DurablePaperVenue(PaperVenueOptions options, IPaperVenueStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        _clock = new PinnedClock(time.GetUtcNow());
        _venue = new PaperVenue(options, _clock);
    }

    /// <summary>How many recorded inputs were replayed when the venue was opened (0 for a new venue).</summary>
    public int InputsReplayed { get; private set; }

    /// <summary>The time of the latest market data item the venue has played, over all symbols; null before the first.</summary>
    public DateTimeOffset? LastMarketDataTime
    {
        get
        {
            lock (_gate)
            {
                return _played.Count == 0 ? null : _played.Values.Max(i => i.Timestamp);
            }
        }
    }

    /// <inheritdoc />
    public string VenueName => _venue.VenueName;

    /// <inheritdoc />
    public ChannelReader<VenueEvent> Events => _venue.Events;

    /// <summary>The stream connection's state (see <see cref="PaperVenue.ConnectionState"/>).</summary>
    public ConnectionState ConnectionState => _venue.ConnectionState;

    /// <summary>
    /// Opens a venue on <paramref name="store"/>: a new venue when the store is empty, otherwise the venue its recorded inputs
    /// make, with the reports it had already published dropped.
    /// </summary>
    /// <param name="options">The venue's options; they must be those the store was written with.</param>
    /// <param name="store">The durable state; the venue owns it from now on and disposes it.</param>
    /// <param name="timeProvider">The engine clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="labels">Host labels that must match the store's (for example the data file and symbol a session plays).</param>
    /// <returns>The venue.</returns>
    /// <exception cref="TradingKit.Errors.TradingKitException"><c>INVALID_OPTIONS</c>; or a <see cref="PaperVenueStoreException"/> from the store.</exception>
    public static DurablePaperVenue Open(PaperVenueOptions options, IPaperVenueStore store, TimeProvider? timeProvider = null,
        IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        options.Validate();
        var inputs = store.Open(PaperVenueIdentity.Of(options, labels));
        var venue = new DurablePaperVenue(options, store, timeProvider ?? TimeProvider.System);
        venue.Replay(inputs);
        return venue;
    }

    /// <summary>The latest item the venue has played for <paramref name="symbol"/>; null when none.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The item.</returns>
    public MarketDataEvent? LastPlayed(Symbol symbol)
    {
        lock (_gate)
        {
            return _played.GetValueOrDefault(symbol);
        }
    }

    /// <inheritdoc />
    /// <exception cref="PaperVenueStoreException">The item could not be kept (<c>PAPER_STORE_WRITE_FAILED</c>); the venue did not play it.</exception>
    public void OnMarketData(MarketDataEvent marketData)
    {
        ArgumentNullException.ThrowIfNull(marketData);
        lock (_gate)
        {
            if (AlreadyPlayed(marketData))
            {
                return;
            }

            var at = Keep(s => new PaperMarketDataInput(s, _time.GetUtcNow(), marketData));
            _played[marketData.Symbol] = marketData;
            _clock.Now = at;
            _venue.OnMarketData(marketData);
        }
    }

    /// <summary>Expires orders and publishes reports due by <paramref name="now"/> (see <see cref="PaperVenue.AdvanceTo"/>); kept like any input.</summary>
    /// <param name="now">The engine time.</param>
    public void AdvanceTo(DateTimeOffset now)
    {
        lock (_gate)
        {
            Keep(s => new PaperAdvanceInput(s, now));
            _clock.Now = now;
            _venue.AdvanceTo(now);
        }
    }

    /// <inheritdoc />
    public ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            if (TryKeep(s => new PaperConnectInput(s, _time.GetUtcNow())) is { } failure)
            {
                return ValueTask.FromException(failure);
            }

            return _venue.ConnectAsync(CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> SubmitAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        lock (_gate)
        {
            if (TryKeep(s => new PaperSubmitInput(s, _time.GetUtcNow(), request)) is { } failure)
            {
                return ValueTask.FromException<SubmitResult>(failure);
            }

            return _venue.SubmitAsync(request, CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> CancelAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        lock (_gate)
        {
            if (TryKeep(s => new PaperCancelInput(s, _time.GetUtcNow(), symbol, clientOrderId)) is { } failure)
            {
                return ValueTask.FromException<SubmitResult>(failure);
            }

            return _venue.CancelAsync(symbol, clientOrderId, CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public ValueTask<SubmitResult> ModifyAsync(ModifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SubmitResult>(cancellationToken);
        }

        lock (_gate)
        {
            if (TryKeep(s => new PaperModifyInput(s, _time.GetUtcNow(), request)) is { } failure)
            {
                return ValueTask.FromException<SubmitResult>(failure);
            }

            return _venue.ModifyAsync(request, CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public ValueTask<VenueOrderState?> QueryOrderAsync(Symbol symbol, ClientOrderId clientOrderId, CancellationToken cancellationToken = default)
        => _venue.QueryOrderAsync(symbol, clientOrderId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<VenueOrderState>> GetOpenOrdersAsync(Symbol? symbol = null, CancellationToken cancellationToken = default)
        => _venue.GetOpenOrdersAsync(symbol, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<VenuePosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
        => _venue.GetPositionsAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Balance>> GetBalancesAsync(CancellationToken cancellationToken = default)
        => _venue.GetBalancesAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Fill>> GetRecentFillsAsync(Symbol? symbol, DateTimeOffset since, CancellationToken cancellationToken = default)
        => _venue.GetRecentFillsAsync(symbol, since, cancellationToken);

    /// <summary>Closes the store. Everything the venue answered is already kept, so no flush is needed.</summary>
    public void Dispose() => _store.Dispose();

    private static void Observe<T>(ValueTask<T> call)
    {
        // The venue completes every call synchronously; a refusal it threw the first time it throws again, and is not news.
        if (call.IsFaulted)
        {
            _ = call.AsTask().Exception;
        }
    }

    private static void Observe(ValueTask call)
    {
        if (call.IsFaulted)
        {
            _ = call.AsTask().Exception;
        }
    }

    private void Replay(IReadOnlyList<PaperVenueInput> inputs)
    {
        foreach (var input in inputs)
        {
            _clock.Now = input.At;
            switch (input)
            {
                case PaperConnectInput:
                    Observe(_venue.ConnectAsync(CancellationToken.None));
                    break;
                case PaperSubmitInput submit:
                    Observe(_venue.SubmitAsync(submit.Request, CancellationToken.None));
                    break;
                case PaperCancelInput cancel:
                    Observe(_venue.CancelAsync(cancel.Symbol, cancel.ClientOrderId, CancellationToken.None));
                    break;
                case PaperModifyInput modify:
                    Observe(_venue.ModifyAsync(modify.Request, CancellationToken.None));
                    break;
                case PaperMarketDataInput data:
                    _played[data.Item.Symbol] = data.Item;
                    _venue.OnMarketData(data.Item);
                    break;
                case PaperAdvanceInput:
                    _venue.AdvanceTo(input.At);
                    break;
            }

            _sequence = input.Sequence;
        }

        // What the venue published before the crash went to the client that crashed; the new client reconciles by query.
        while (_venue.Events.TryRead(out _))
        {
        }

        InputsReplayed = inputs.Count;
        _clock.Now = _time.GetUtcNow();
    }

    private bool AlreadyPlayed(MarketDataEvent item)
        => _played.TryGetValue(item.Symbol, out var last) && (item.Timestamp < last.Timestamp || item == last);

    private DateTimeOffset Keep(Func<long, PaperVenueInput> create)
    {
        if (TryKeep(create) is { } failure)
        {
            throw failure;
        }

        return _clock.Now;
    }

    private PaperVenueStoreException? TryKeep(Func<long, PaperVenueInput> create)
    {
        if (_failure is not null)
        {
            return _failure;
        }

        var input = create(_sequence + 1);
        try
        {
            _store.Append(input);
        }
        catch (PaperVenueStoreException ex)
        {
            // The store may hold part of the record: nothing more may follow it until the venue is reopened.
            _failure = new PaperVenueStoreException(PaperVenueStoreErrorCodes.WriteFailed,
                "Paper venue state could not be kept; the venue accepts no more changes until it is reopened: " + ex.Message, ex);
            return _failure;
        }

        _sequence = input.Sequence;
        _clock.Now = input.At;
        return null;
    }

    /// <summary>The clock the inner venue reads: pinned, per call, to the time recorded for the call.</summary>
    private sealed class PinnedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
