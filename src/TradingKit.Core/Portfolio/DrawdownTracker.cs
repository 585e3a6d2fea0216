namespace TradingKit.Portfolio;

/// <summary>Peak equity and the largest peak-to-trough drop since the last reset.</summary>
internal struct DrawdownTracker
{
    public decimal Peak { get; private set; }

    public decimal MaxDrawdown { get; private set; }

    /// <summary>The largest drop as a percentage of the peak it fell from (5 means 5 %).</summary>
    public decimal MaxDrawdownPercent { get; private set; }

    public void Reset(decimal equity)
    {
        Peak = equity;
        MaxDrawdown = 0m;
        MaxDrawdownPercent = 0m;
    }

    public void Observe(decimal equity)
    {
        if (equity >= Peak)
        {
            Peak = equity;
            return;
        }

        var drop = Peak - equity;
        if (drop > MaxDrawdown)
        {
            MaxDrawdown = drop;
        }

        // Compare by multiplying first: a decimal division is the slowest step of a mark, and most marks set no new maximum.
        if (Peak > 0m && drop * 100m > MaxDrawdownPercent * Peak)
        {
            MaxDrawdownPercent = drop * 100m / Peak;
        }
    }

    /// <summary>Moves the peak with a deposit or withdrawal so that moving money is not counted as gain or loss.</summary>
    public void Shift(decimal amount) => Peak += amount;
}
