using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Execution.Approvals;
using TradingKit.Journal;
using TradingKit.Oms;
using TradingKit.Orders;

namespace TradingKit.Engine;

/// <content>
/// Approval mode (seed 001): with <see cref="Execution.ExecutionOptions.RequireApproval"/>, strategies' intents become
/// proposals; an operator's <c>ApproveProposal</c> issues a signed single-use token and the approval gate places the order
/// (kill switch → signature → expiry → unused and matching → OMS, which still passes the last gate).
/// </content>
public sealed partial class TradingEngine
{
    private readonly ApprovalGate? _approvals;

    /// <summary>Journal record type of an intent that became a proposal (<c>orders_fills.jsonl</c>).</summary>
    public const string ProposedRecordType = "order_proposed";

    /// <summary>The approval gate, when approval mode is configured.</summary>
    public ApprovalGate? Approvals => _approvals;

    private async ValueTask ProposeAsync(OrderRequest request, OrderContext context, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        var gate = _approvals ?? throw new TradingKitException(ErrorCodes.InvalidOptions, "Approval mode needs an approval gate.");
        var id = new ProposalId(request.ClientOrderId.Value);
        try
        {
            await gate.ProposeAsync(id, request, string.Join(',', reasons),
                new ProposalContext(context.StrategyId, context.CorrelationId, context.DecisionPrice), cancellationToken).ConfigureAwait(false);
        }
        catch (ApprovalGateException ex) when (ex.Code == ApprovalCodes.ProposalExists)
        {
            // The same intent twice is the same proposal (its id is the deterministic client order id).
            return;
        }

        _journal.WriteOrder(context.DecisionTime, ProposedRecordType, new Order(request, context.DecisionTime), "awaiting approval");
        await _recorder.AppendAsync(new Events.ProposalCreated(id.Value, context.StrategyId, request.Symbol, request.Side, request.Quantity, request.LimitPrice,
            ConfigHash()), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<CommandResult> ApproveAsync(CommandEnvelope envelope, ApproveProposal approve, CancellationToken cancellationToken)
    {
        if (_approvals is null)
        {
            return CommandResult.Fail(CommandNotSupported, "Approval mode is not configured.");
        }

        var id = new ProposalId(approve.ProposalId);
        try
        {
            if (WorkerMode && await _approvals.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } proposed
                && !await ClaimSymbolAsync(proposed.Order, cancellationToken).ConfigureAwait(false))
            {
                return CommandResult.Fail(WorkerLockRejectedCode, $"{proposed.Order.Symbol} is locked by another worker; proposal {id} stays pending.");
            }

            var grant = await _approvals.ApproveAsync(id, envelope.Actor, approve.ValidFor > TimeSpan.Zero ? approve.ValidFor : null, cancellationToken).ConfigureAwait(false);
            await _recorder.AppendAsync(new ProposalApproved(id.Value, envelope.Actor, grant.Record.ExpiresAt), cancellationToken).ConfigureAwait(false);

            // The proposal's origin is kept with it in the approval store, so an earlier process's proposal is placed for
            // the strategy that proposed it; one proposed without an origin is the operator's.
            var origin = (await _approvals.GetAsync(id, cancellationToken).ConfigureAwait(false))?.Context;
            var context = origin is null
                ? new OrderContext(OperatorStrategy, envelope.CorrelationId, null, _time.GetUtcNow())
                : new OrderContext(origin.StrategyId, origin.CorrelationId, origin.DecisionPrice, _time.GetUtcNow());
            var outcome = await _approvals.PlaceAsync(id, grant.Token,
                (order, ct) => Orders.SubmitAsync(order, context, ct), cancellationToken).ConfigureAwait(false);
            await AfterSubmitAsync(outcome, cancellationToken).ConfigureAwait(false);
            return outcome.Status is SubmitStatus.Accepted or SubmitStatus.Duplicate
                ? CommandResult.Ok($"proposal {id} approved by {envelope.Actor}; order {(outcome.Order is { } placed ? placed.ClientOrderId.Value : "(retired)")} {outcome.Status}")
                : CommandResult.Fail(outcome.Code ?? outcome.Status.ToString(), outcome.Reason ?? outcome.Status.ToString());
        }
        catch (ApprovalGateException ex)
        {
            return CommandResult.Fail(ex.Code, ex.Message);
        }
    }

    private async ValueTask<CommandResult> RejectProposalAsync(CommandEnvelope envelope, RejectProposal reject, CancellationToken cancellationToken)
    {
        if (_approvals is null)
        {
            return CommandResult.Fail(CommandNotSupported, "Approval mode is not configured.");
        }

        try
        {
            await _approvals.RejectAsync(new ProposalId(reject.ProposalId), envelope.Actor, reject.Reason, cancellationToken).ConfigureAwait(false);
            await _recorder.AppendAsync(new ProposalRejected(reject.ProposalId, envelope.Actor, reject.Reason), cancellationToken).ConfigureAwait(false);
            return CommandResult.Ok($"proposal {reject.ProposalId} rejected by {envelope.Actor}");
        }
        catch (ApprovalGateException ex)
        {
            return CommandResult.Fail(ex.Code, ex.Message);
        }
    }
}
