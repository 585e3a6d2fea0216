using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using TradingKit.Errors;
using TradingKit.Orders;

namespace TradingKit.StateMachines;

/// <summary>
/// A transition table as one bit mask per state (bit <c>n</c> set: state <c>n</c> may follow). Built once per
/// machine; lookups are two array reads and a shift, with no allocation.
/// </summary>
/// <typeparam name="TState">An enum whose values run 0, 1, 2, ... without gaps (at most 64 of them).</typeparam>
internal sealed class TransitionTable<TState>
    where TState : unmanaged, Enum
{
    private readonly ulong[] _allowed;

    /// <summary>Creates an empty table (every transition refused) for every value of <typeparamref name="TState"/>.</summary>
    /// <exception cref="InvalidOperationException">The enum's values are not 0..n-1 or there are more than 64.</exception>
    public TransitionTable()
    {
        var states = Enum.GetValues<TState>();
        if (states.Length > 64)
        {
            throw new InvalidOperationException($"{typeof(TState).Name} has more than 64 states; a ulong mask cannot hold its table.");
        }

        for (var i = 0; i < states.Length; i++)
        {
            if (Index(states[i]) != i)
            {
                throw new InvalidOperationException($"{typeof(TState).Name} values must run 0..{states.Length - 1} without gaps to index the table.");
            }
        }

        States = states;
        _allowed = new ulong[states.Length];
    }

    /// <summary>Gets every state, in value order.</summary>
    public TState[] States { get; }

    /// <summary>Allows <paramref name="from"/> → each of <paramref name="to"/>.</summary>
    /// <param name="from">The source state.</param>
    /// <param name="to">The states that may follow it.</param>
    /// <returns>This table, to chain rows.</returns>
    public TransitionTable<TState> Allow(TState from, params ReadOnlySpan<TState> to)
    {
        foreach (var target in to)
        {
            _allowed[Index(from)] |= 1UL << Index(target);
        }

        return this;
    }

    /// <summary>True when the table allows <paramref name="from"/> → <paramref name="to"/> (false for the same state unless listed).</summary>
    /// <param name="from">The source state.</param>
    /// <param name="to">The target state.</param>
    /// <returns>Whether it is listed.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(TState from, TState to)
    {
        var allowed = _allowed;
        var f = (uint)Index(from);
        var t = (uint)Index(to);
        return f < (uint)allowed.Length && t < (uint)allowed.Length && (allowed[f] & (1UL << (int)t)) != 0;
    }

    /// <summary>True when no transition leaves <paramref name="state"/>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Whether its row is empty.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsEmptyRow(TState state)
    {
        var allowed = _allowed;
        var f = (uint)Index(state);
        return f < (uint)allowed.Length && allowed[f] == 0;
    }

    /// <summary>Same state → no-op; listed → applied; otherwise refused.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns>The outcome.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TransitionOutcome Classify(TState from, TState to)
    {
        if (Index(from) == Index(to))
        {
            return TransitionOutcome.NoOp;
        }

        return Contains(from, to) ? TransitionOutcome.Applied : TransitionOutcome.Refused;
    }

    /// <summary>Classifies and throws when refused.</summary>
    /// <param name="machine">The machine's name, for the error message.</param>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <returns><see cref="TransitionOutcome.Applied"/> or <see cref="TransitionOutcome.NoOp"/>.</returns>
    /// <exception cref="InvalidStateTransitionException">The transition is not listed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TransitionOutcome Ensure(string machine, TState from, TState to)
    {
        var outcome = Classify(from, to);
        if (outcome == TransitionOutcome.Refused)
        {
            ThrowRefused(machine, from, to, null);
        }

        return outcome;
    }

    /// <summary>Throws the refusal; kept out of line so the checks above stay small enough to inline.</summary>
    /// <param name="machine">The machine's name.</param>
    /// <param name="from">The current state.</param>
    /// <param name="to">The requested state.</param>
    /// <param name="hint">What would make it allowed, if anything.</param>
    /// <exception cref="InvalidStateTransitionException">Always.</exception>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowRefused(string machine, TState from, TState to, string? hint)
        => throw new InvalidStateTransitionException(machine, from, to, hint);

    // The size switch is a JIT-time constant for each enum, so only one branch survives.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index(TState state) => Unsafe.SizeOf<TState>() switch
    {
        1 => Unsafe.As<TState, byte>(ref state),
        2 => Unsafe.As<TState, ushort>(ref state),
        _ => Unsafe.As<TState, int>(ref state),
    };
}
