namespace TradingKit.Positions;

/// <summary>The life-cycle of a position in one instrument. Transitions are governed by <see cref="PositionStateMachine"/>.</summary>
public enum PositionStatus : byte
{
    /// <summary>No position and no entry order working. The resting state.</summary>
    Flat = 0,

    /// <summary>An entry order is working and nothing has filled yet.</summary>
    Entering = 1,

    /// <summary>A position is held (at least one entry fill) and no exit order is working.</summary>
    Open = 2,

    /// <summary>An exit order is working against the held position.</summary>
    Exiting = 3,
}
