namespace TradingKit.Connectivity;

/// <summary>States of a connection to a venue stream. Transitions are governed by <see cref="ConnectionStateMachine"/>.</summary>
public enum ConnectionState : byte
{
    /// <summary>Not connected.</summary>
    Disconnected = 0,

    /// <summary>First connection attempt in progress.</summary>
    Connecting = 1,

    /// <summary>Connected and streaming.</summary>
    Connected = 2,

    /// <summary>The connection dropped; reconnecting.</summary>
    Reconnecting = 3,
}
