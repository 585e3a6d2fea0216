using TradingKit.Domain;
using TradingKit.MarketData;
using TradingKit.Orders;

namespace TradingKit.Paper.Durability;

/// <summary>
/// One call that changed a paper venue, as its durable store keeps it. The venue is deterministic given its options and
/// these inputs in order, so replaying them into a fresh venue gives back its orders, fills, positions, cash, pending
/// reports, fault-injection position and the market data it has played.
/// </summary>
/// <param name="Sequence">The input's position in the venue's history, from 1, without gaps.</param>
/// <param name="At">The venue clock when the call was made.</param>
public abstract record PaperVenueInput(long Sequence, DateTimeOffset At);

/// <summary>A client connected (<see cref="TradingKit.Brokers.IBrokerAdapter.ConnectAsync"/>).</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The venue clock.</param>
public sealed record PaperConnectInput(long Sequence, DateTimeOffset At) : PaperVenueInput(Sequence, At);

/// <summary>An order was submitted.</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The venue clock.</param>
/// <param name="Request">The order as sent.</param>
public sealed record PaperSubmitInput(long Sequence, DateTimeOffset At, OrderRequest Request) : PaperVenueInput(Sequence, At);

/// <summary>A cancel was requested.</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The venue clock.</param>
/// <param name="Symbol">The order's symbol.</param>
/// <param name="ClientOrderId">The order.</param>
public sealed record PaperCancelInput(long Sequence, DateTimeOffset At, Symbol Symbol, ClientOrderId ClientOrderId) : PaperVenueInput(Sequence, At);

/// <summary>A modify was requested.</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The venue clock.</param>
/// <param name="Request">The modify as sent.</param>
public sealed record PaperModifyInput(long Sequence, DateTimeOffset At, ModifyRequest Request) : PaperVenueInput(Sequence, At);

/// <summary>The venue played one market data item.</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The venue clock.</param>
/// <param name="Item">The bar, trade or quote.</param>
public sealed record PaperMarketDataInput(long Sequence, DateTimeOffset At, MarketDataEvent Item) : PaperVenueInput(Sequence, At);

/// <summary>The venue was advanced to <see cref="PaperVenueInput.At"/> (expiries and reports due by then).</summary>
/// <param name="Sequence">The input's position.</param>
/// <param name="At">The time advanced to.</param>
public sealed record PaperAdvanceInput(long Sequence, DateTimeOffset At) : PaperVenueInput(Sequence, At);
