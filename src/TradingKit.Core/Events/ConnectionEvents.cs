namespace TradingKit.Events;

/// <summary>A venue stream connected. Type name <c>venue_connected</c>.</summary>
/// <param name="Venue">The venue (for example <c>binance-usdm</c>, <c>paper</c>).</param>
/// <param name="Stream">The stream (for example <c>user_data</c>, <c>market</c>).</param>
public sealed record VenueConnected(string Venue, string Stream) : ITradingEvent;

/// <summary>A venue stream dropped. Type name <c>venue_disconnected</c>.</summary>
/// <param name="Venue">The venue.</param>
/// <param name="Stream">The stream.</param>
/// <param name="Reason">Why, when known.</param>
public sealed record VenueDisconnected(string Venue, string Stream, string Reason) : ITradingEvent;

/// <summary>A venue stream came back after a drop; a reconciliation follows. Type name <c>venue_reconnected</c>.</summary>
/// <param name="Venue">The venue.</param>
/// <param name="Stream">The stream.</param>
/// <param name="Attempts">Connection attempts it took.</param>
/// <param name="Downtime">How long the stream was down, on the engine clock.</param>
public sealed record VenueReconnected(string Venue, string Stream, int Attempts, TimeSpan Downtime) : ITradingEvent;
