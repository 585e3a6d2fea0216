namespace TradingKit.Portfolio;

/// <summary>The slippage of one fill against its reference (decision or arrival) price. Positive is a cost.</summary>
/// <param name="Amount">In the account currency: <c>(fill price − reference) × quantity</c> for a buy, the negation for a sell.</param>
/// <param name="Bps">In basis points of the reference notional: <c>Amount / (reference × quantity) × 10 000</c>.</param>
public readonly record struct SlippageSample(decimal Amount, decimal Bps);
