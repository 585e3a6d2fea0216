using TradingKit.Errors;
using TradingKit.Orders;
using TradingKit.StateMachines;

namespace TradingKit.Core.Tests.StateMachines;

/// <summary>
/// The checks every state machine must pass, run against the expected table each derived class writes out by
/// hand. The production table is never read to build the expectation, so changing either one breaks a test.
/// </summary>
public abstract class StateMachineContractTests<TMachine, TState>
    where TMachine : IStateMachine<TState>
    where TState : struct, Enum
{
    /// <summary>The allowed (from, to) pairs, written independently of the production table.</summary>
    protected abstract IReadOnlyCollection<(TState From, TState To)> AllowedPairs { get; }

    /// <summary>The states no transition leaves.</summary>
    protected abstract IReadOnlyCollection<TState> TerminalStates { get; }

    /// <summary>Where the machine starts; every state must be reachable from it.</summary>
    protected abstract TState Initial { get; }

    /// <summary>The code a refused <c>Transition</c> throws.</summary>
    protected virtual string RefusedCode => ErrorCodes.InvalidStateTransition;

    /// <summary>Exits from a terminal state that the rules allow on purpose (the order's late fill).</summary>
    protected virtual IReadOnlyCollection<(TState From, TState To)> TerminalExits => [];

    // xunit's MemberData needs the data on the test class; each closed generic gets its own, which is the point.
#pragma warning disable CA1000
    public static TheoryData<TState, TState> EveryPair()
    {
        var data = new TheoryData<TState, TState>();
        foreach (var from in Enum.GetValues<TState>())
        {
            foreach (var to in Enum.GetValues<TState>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    public static TheoryData<TState> EveryState()
    {
        var data = new TheoryData<TState>();
        foreach (var state in Enum.GetValues<TState>())
        {
            data.Add(state);
        }

        return data;
    }
#pragma warning restore CA1000

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Classify_EveryPair_MatchesTheExpectedTable(TState from, TState to)
    {
        var expected = Expected(from, to);

        Assert.Equal(expected, TMachine.Classify(from, to));
        Assert.Equal(expected != TransitionOutcome.Refused, TMachine.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Transition_EveryPair_ReturnsTheOutcomeOrThrowsTheTypedCode(TState from, TState to)
    {
        var expected = Expected(from, to);

        if (expected == TransitionOutcome.Refused)
        {
            var ex = Assert.ThrowsAny<TradingKitException>(() => TMachine.Transition(from, to));
            Assert.Equal(RefusedCode, ex.Code);
            Assert.Contains(from.ToString(), ex.Message, StringComparison.Ordinal);
            Assert.Contains(to.ToString(), ex.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, TMachine.Transition(from, to));
        }
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void SameState_IsAnIdempotentNoOp(TState state)
    {
        Assert.Equal(TransitionOutcome.NoOp, TMachine.Classify(state, state));
        Assert.Equal(TransitionOutcome.NoOp, TMachine.Transition(state, state));
        Assert.True(TMachine.CanTransition(state, state));
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void IsTerminal_MatchesTheExpectedTerminalStates(TState state)
        => Assert.Equal(TerminalStates.Contains(state), TMachine.IsTerminal(state));

    [Fact]
    public void TerminalStates_Absorb()
    {
        foreach (var terminal in TerminalStates)
        {
            foreach (var to in Enum.GetValues<TState>())
            {
                if (!EqualityComparer<TState>.Default.Equals(terminal, to) && !TerminalExits.Contains((terminal, to)))
                {
                    Assert.Equal(TransitionOutcome.Refused, TMachine.Classify(terminal, to));
                }
            }
        }
    }

    [Fact]
    public void AllStates_ListsEveryEnumValueOnce_InDeclarationOrder()
        => Assert.Equal(Enum.GetValues<TState>(), TMachine.AllStates.ToArray());

    [Fact]
    public void EveryState_IsReachableFromTheInitialState()
    {
        var seen = new HashSet<TState> { Initial };
        var queue = new Queue<TState>(seen);
        while (queue.TryDequeue(out var from))
        {
            foreach (var to in TMachine.AllStates)
            {
                if (TMachine.Classify(from, to) == TransitionOutcome.Applied && seen.Add(to))
                {
                    queue.Enqueue(to);
                }
            }
        }

        Assert.Equal(Enum.GetValues<TState>().Order(), seen.Order());
    }

    [Fact]
    public void ExpectedTable_HasNoSelfPairs_AndNoDuplicates()
    {
        // Guards the hand-written expectation itself: a self pair would be masked by the no-op rule.
        Assert.DoesNotContain(AllowedPairs, p => EqualityComparer<TState>.Default.Equals(p.From, p.To));
        Assert.Equal(AllowedPairs.Count, AllowedPairs.Distinct().Count());
    }

    private TransitionOutcome Expected(TState from, TState to)
    {
        if (EqualityComparer<TState>.Default.Equals(from, to))
        {
            return TransitionOutcome.NoOp;
        }

        return AllowedPairs.Contains((from, to)) ? TransitionOutcome.Applied : TransitionOutcome.Refused;
    }
}
