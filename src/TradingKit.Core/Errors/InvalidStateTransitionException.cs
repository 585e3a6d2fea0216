namespace TradingKit.Errors;

/// <summary>
/// A transition that a state machine (engine, position, command, connection, worker) does not allow. Order status
/// changes use <see cref="Orders.OrderStateException"/> instead.
/// </summary>
public sealed class InvalidStateTransitionException : TradingKitException
{
    /// <summary>Creates the error with code <c>INVALID_STATE_TRANSITION</c>.</summary>
    /// <param name="machine">The machine that refused, for example <c>Engine</c>.</param>
    /// <param name="from">The state held.</param>
    /// <param name="to">The state asked for.</param>
    /// <param name="hint">What would make it allowed, if anything (for example an operator command).</param>
    public InvalidStateTransitionException(string machine, Enum from, Enum to, string? hint = null)
        : base(
            ErrorCodes.InvalidStateTransition,
            hint is null
                ? $"{machine} state change {from} -> {to} is not allowed."
                : $"{machine} state change {from} -> {to} is not allowed: {hint}.")
    {
        Machine = machine;
        From = from;
        To = to;
    }

    /// <summary>Gets the machine that refused, for example <c>Engine</c>.</summary>
    public string Machine { get; }

    /// <summary>Gets the state held.</summary>
    public Enum From { get; }

    /// <summary>Gets the state asked for.</summary>
    public Enum To { get; }
}
