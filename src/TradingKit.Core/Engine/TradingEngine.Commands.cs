using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Engine;

/// <summary>The outcome of one command executed by the engine.</summary>
/// <param name="Succeeded">True when the command did what it asked.</param>
/// <param name="Code">A stable code when it failed (for example <c>INVALID_STATE_TRANSITION</c>).</param>
/// <param name="Message">What happened.</param>
public sealed record CommandResult(bool Succeeded, string? Code, string Message)
{
    /// <summary>A success.</summary>
    /// <param name="message">What happened.</param>
    /// <returns>The result.</returns>
    public static CommandResult Ok(string message) => new(true, null, message);

    /// <summary>A failure.</summary>
    /// <param name="code">The stable code.</param>
    /// <param name="message">What went wrong.</param>
    /// <returns>The result.</returns>
    public static CommandResult Fail(string code, string message) => new(false, code, message);
}

/// <content>Command handling: operators change the engine only through commands.</content>
public sealed partial class TradingEngine
{
    /// <summary>The strategy id under which operator orders (PlaceOrder, ClosePosition) are recorded.</summary>
    public static readonly StrategyId OperatorStrategy = new("operator");

    /// <summary>Error code for a command this engine does not execute (it belongs to another component).</summary>
    public const string CommandNotSupported = "COMMAND_NOT_SUPPORTED";

    private async ValueTask<CommandResult> OnCommandAsync(CommandEnvelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            var result = envelope.Payload switch
            {
                PauseEngine p => await ChangeStateAsync(EngineState.Paused, byOperator: false, new EnginePaused(p.Reason, envelope.Actor), p.Reason, cancellationToken).ConfigureAwait(false),
                ResumeEngine r => await ChangeStateAsync(EngineState.Running, byOperator: false, new EngineResumed(r.Reason, envelope.Actor), r.Reason, cancellationToken, requireFrom: EngineState.Paused).ConfigureAwait(false),
                ResetSafeMode r => await ResetSafeModeAsync(envelope, r, cancellationToken).ConfigureAwait(false),
                SetKillSwitch k => await SetKillSwitchAsync(envelope, k, cancellationToken).ConfigureAwait(false),
                RunReconcile r => await RunReconcileAsync(r, cancellationToken).ConfigureAwait(false),
                ApproveProposal a => await ApproveAsync(envelope, a, cancellationToken).ConfigureAwait(false),
                RebuildProjection r => await RebuildProjectionAsync(r, cancellationToken).ConfigureAwait(false),
                RejectProposal r => await RejectProposalAsync(envelope, r, cancellationToken).ConfigureAwait(false),
                CancelAll c => await CancelAllAsync(c.Symbol, cancellationToken).ConfigureAwait(false),
                CancelOrder c => await Orders.CancelAsync(c.ClientOrderId, cancellationToken).ConfigureAwait(false)
                    ? CommandResult.Ok($"cancel of {c.ClientOrderId} sent")
                    : CommandResult.Fail(ErrorCodes.InvalidOrderStatusTransition, $"order {c.ClientOrderId} is unknown or cannot be cancelled now"),
                ModifyOrder m => await Orders.ModifyAsync(new ModifyRequest(m.ClientOrderId, m.Symbol, m.NewQuantity, m.NewLimitPrice, m.NewStopPrice), cancellationToken).ConfigureAwait(false)
                    ? CommandResult.Ok($"modify of {m.ClientOrderId} sent")
                    : CommandResult.Fail(ErrorCodes.InvalidOrderStatusTransition, $"order {m.ClientOrderId} is unknown or cannot be modified now"),
                PlaceOrder p => await PlaceOperatorOrderAsync(envelope, ToRequest(envelope, p), cancellationToken).ConfigureAwait(false),
                ClosePosition c => await ClosePositionAsync(envelope, c, cancellationToken).ConfigureAwait(false),
                _ => CommandResult.Fail(CommandNotSupported, $"{envelope.Payload.GetType().Name} is not executed by the engine loop; route it to its own handler."),
            };
            await _recorder.FlushStatesAsync(cancellationToken).ConfigureAwait(false);
            await DrainVenueAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (TradingKitException ex)
        {
            return CommandResult.Fail(ex.Code, ex.Message);
        }
    }

    private async ValueTask<CommandResult> ChangeStateAsync(EngineState to, bool byOperator, ITradingEvent evt, string reason, CancellationToken cancellationToken, EngineState? requireFrom = null)
    {
        var from = State;
        if (requireFrom is { } required && from != required)
        {
            return CommandResult.Fail(ErrorCodes.InvalidStateTransition, $"engine is {from}, not {required}");
        }

        if (EngineStateMachine.Classify(from, to, byOperator) == TransitionOutcome.Refused)
        {
            return CommandResult.Fail(ErrorCodes.InvalidStateTransition, $"engine cannot go from {from} to {to}");
        }

        if (from != to)
        {
            State = to;
            _recorder.StateChanged(from, to, reason);
            await _recorder.AppendAsync(evt, cancellationToken).ConfigureAwait(false);
        }

        return CommandResult.Ok($"engine {from} -> {to}");
    }

    private async ValueTask<CommandResult> ResetSafeModeAsync(CommandEnvelope envelope, ResetSafeMode reset, CancellationToken cancellationToken)
    {
        var result = await ChangeStateAsync(EngineState.Running, byOperator: true,
            new ManualOverrideExecuted(envelope.Actor, ResetSafeModeAction, reset.Reason, envelope.CommandId), reset.Reason, cancellationToken, requireFrom: EngineState.Safe).ConfigureAwait(false);
        if (result.Succeeded && _risk is Risk.RiskGuard guard)
        {
            // The operator's reset also clears the guard's tripped conditions; the kill switch stays as it is until turned off.
            guard.Reset(envelope.Actor, reset.Reason, _time.GetUtcNow());
        }

        return result;
    }

    private async ValueTask<CommandResult> SetKillSwitchAsync(CommandEnvelope envelope, SetKillSwitch command, CancellationToken cancellationToken)
    {
        if (_killSwitch is null)
        {
            return CommandResult.Fail(CommandNotSupported, "No kill switch is configured for this engine.");
        }

        try
        {
            var change = await _killSwitch.SetAsync(command.Enabled ? Risk.KillSwitchState.On : Risk.KillSwitchState.Off, command.Reason, envelope.Actor, cancellationToken).ConfigureAwait(false);
            await RecordKillSwitchAsync(change, automatic: false, cancellationToken).ConfigureAwait(false);
            return CommandResult.Ok($"kill switch {(command.Enabled ? "on" : "off")}");
        }
        catch (Risk.KillSwitchConflictException ex)
        {
            return CommandResult.Fail(ex.Code, ex.Message);
        }
    }

    /// <summary>The <c>RebuildProjection</c> command: drops the projections and rebuilds them from the whole event log.</summary>
    private async ValueTask<CommandResult> RebuildProjectionAsync(RebuildProjection command, CancellationToken cancellationToken)
    {
        if (_projections is null)
        {
            return CommandResult.Fail(CommandNotSupported, "No projection store is configured for this engine.");
        }

        if (command.FromPosition > 1)
        {
            // The rebuild resets the store, so replaying from the middle of the log would lose what came before.
            return CommandResult.Fail(ErrorCodes.InvalidOptions, $"Only a full rebuild (FromPosition 1) is supported; got {command.FromPosition}.");
        }

        var rebuilder = new Replay.ProjectionRebuilder(new Replay.ProjectionRebuildOptions
        {
            AccountId = AccountId,
            InitialCash = _options.InitialCash,
            Currency = _options.Currency,
        });
        var events = await rebuilder.RebuildAsync(_eventStore, 1, cancellationToken).ConfigureAwait(false);
        await rebuilder.WriteToAsync(_projections, cancellationToken).ConfigureAwait(false);
        return CommandResult.Ok($"{command.Projection}: rebuilt {rebuilder.Orders.Count} order(s) and {rebuilder.Positions.Count} position(s) from {events} event(s)");
    }

    private async ValueTask<CommandResult> CancelAllAsync(Symbol? symbol, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var order in Orders.GetOpenOrders())
        {
            if ((symbol is null || order.Symbol == symbol) && await Orders.CancelAsync(order.ClientOrderId, cancellationToken).ConfigureAwait(false))
            {
                sent++;
            }
        }

        return CommandResult.Ok($"{sent} cancel(s) sent");
    }

    private async ValueTask<CommandResult> ClosePositionAsync(CommandEnvelope envelope, ClosePosition close, CancellationToken cancellationToken)
    {
        var position = Portfolio.GetPosition(close.Symbol, close.PositionSide).Quantity;
        if (position == 0m)
        {
            return CommandResult.Ok($"{close.Symbol} is already flat");
        }

        var quantity = close.Quantity is { } q ? Math.Min(q, Math.Abs(position)) : Math.Abs(position);
        var request = new OrderRequest
        {
            ClientOrderId = ClientOrderIdGenerator.Create(SessionId, OperatorStrategy, close.Symbol, position > 0m ? OrderSide.Sell : OrderSide.Buy, envelope.IssuedAt, envelope.IdempotencyKey),
            Symbol = close.Symbol,
            Side = position > 0m ? OrderSide.Sell : OrderSide.Buy,
            Type = OrderType.Market,
            Quantity = quantity,
            ReduceOnly = true,
            PositionSide = close.PositionSide,
        };
        return await PlaceOperatorOrderAsync(envelope, request, cancellationToken).ConfigureAwait(false);
    }

    private OrderRequest ToRequest(CommandEnvelope envelope, PlaceOrder place) => new()
    {
        // The command's idempotency key is the intent: the same command twice yields the same client order id, so one order.
        ClientOrderId = ClientOrderIdGenerator.Create(SessionId, OperatorStrategy, place.Symbol, place.Side, envelope.IssuedAt, envelope.IdempotencyKey),
        Symbol = place.Symbol,
        Side = place.Side,
        Type = place.Type,
        Quantity = place.Quantity,
        LimitPrice = place.LimitPrice,
        StopPrice = place.StopPrice,
        TrailingOffset = place.TrailingOffset,
        TimeInForce = place.TimeInForce,
        ExpireAt = place.ExpireAt,
        ReduceOnly = place.ReduceOnly,
        PositionSide = place.PositionSide,
    };

    private async ValueTask<CommandResult> PlaceOperatorOrderAsync(CommandEnvelope envelope, OrderRequest request, CancellationToken cancellationToken)
    {
        var price = _lastPrices.TryGetValue(request.Symbol, out var last) ? last : (decimal?)null;
        var context = new OrderContext(OperatorStrategy, envelope.CorrelationId, price, _time.GetUtcNow());
        if (WorkerMode && !await ClaimSymbolAsync(request, cancellationToken).ConfigureAwait(false))
        {
            return CommandResult.Fail(WorkerLockRejectedCode, $"{request.Symbol} is locked by another worker; the order was not sent.");
        }

        var outcome = await Orders.SubmitAsync(request, context, cancellationToken).ConfigureAwait(false);
        await AfterSubmitAsync(outcome, cancellationToken).ConfigureAwait(false);
        return outcome.Status is SubmitStatus.Accepted or SubmitStatus.Duplicate
            ? CommandResult.Ok($"order {request.ClientOrderId} {outcome.Status}")
            : CommandResult.Fail(outcome.Code ?? outcome.Status.ToString(), outcome.Reason ?? outcome.Status.ToString());
    }
}
