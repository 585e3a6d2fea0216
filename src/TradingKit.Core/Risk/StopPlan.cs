namespace TradingKit.Risk;

/// <summary>What happens to open positions when the guard trips.</summary>
public enum StopPlanPositionAction
{
    /// <summary>Keep positions; only reducing orders the strategy sends are allowed (REDUCING) or none (HALTED).</summary>
    Hold = 0,

    /// <summary>Close <see cref="StopPlan.ReduceFraction"/> of every position with marketable reduce-only orders.</summary>
    Reduce = 1,

    /// <summary>Close every position with marketable reduce-only orders.</summary>
    Flatten = 2,
}

/// <summary>
/// The stop plan of a trip (PIPE-260 §7), for the engine to execute: new orders are blocked at once (the guard's
/// state already does it), then the engine cancels open orders and reduces or flattens positions as described, and
/// turns the kill switch on when asked (<see cref="KillSwitch.EngageForTripAsync"/>).
/// </summary>
public sealed record StopPlan
{
    /// <summary>Always true: no new order after a trip. Kept explicit so the journal shows it.</summary>
    public bool BlockNewOrders { get; init; } = true;

    /// <summary>Whether to cancel every open order.</summary>
    public bool CancelOpenOrders { get; init; }

    /// <summary>What to do with positions. Only REDUCING trips reduce or flatten; HALTED trips hold.</summary>
    public StopPlanPositionAction Positions { get; init; }

    /// <summary>For <see cref="StopPlanPositionAction.Reduce"/>, the fraction of each position to close.</summary>
    public decimal ReduceFraction { get; init; }

    /// <summary>Whether the engine turns the kill switch on (HALTED trips, when <c>Risk:KillSwitch:OnTrip</c> is true).</summary>
    public bool EngageKillSwitch { get; init; }

    /// <summary>A plan that only blocks new orders.</summary>
    /// <returns>The plan.</returns>
    public static StopPlan BlockOnly() => new() { Positions = StopPlanPositionAction.Hold };

    /// <summary>Builds the plan for a trip into <paramref name="state"/> from the configured policy.</summary>
    /// <param name="state">The state the trip entered.</param>
    /// <param name="options">The risk options.</param>
    /// <returns>The plan.</returns>
    public static StopPlan For(TradingState state, RiskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var halted = state == TradingState.Halted;
        return new StopPlan
        {
            CancelOpenOrders = options.StopPlan.CancelOpenOrders,
            Positions = halted ? StopPlanPositionAction.Hold : options.StopPlan.Positions,
            ReduceFraction = options.StopPlan.Positions == StopPlanPositionAction.Reduce ? options.StopPlan.ReduceFraction : 0m,
            EngageKillSwitch = halted && options.KillSwitch.OnTrip,
        };
    }

    /// <summary>The quantity to close from a signed position under this plan, rounded by the caller to the instrument step.</summary>
    /// <param name="position">The signed position.</param>
    /// <returns>The absolute quantity to close; 0 when holding.</returns>
    public decimal QuantityToClose(decimal position) => Positions switch
    {
        StopPlanPositionAction.Flatten => Math.Abs(position),
        StopPlanPositionAction.Reduce => Math.Abs(position) * ReduceFraction,
        _ => 0m,
    };
}
