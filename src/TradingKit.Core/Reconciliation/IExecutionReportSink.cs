using TradingKit.Brokers;
using TradingKit.Oms;
using TradingKit.Orders;
using TradingKit.Portfolio;

namespace TradingKit.Reconciliation;

/// <summary>
/// Where recovery components (reconciler, in-flight monitor, stream and poll merger) deliver what they learned from the
/// venue: as execution reports, on the same path as the venue's own reports, so the OMS's rules (state machine, fill
/// dedup by trade id) and the portfolio see a repair exactly like a report. The engine implements it on its loop.
/// </summary>
public interface IExecutionReportSink
{
    /// <summary>Applies one report: to the OMS, then any fill it produced to the portfolio (and the rest of L60/L70).</summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">Cancels recording.</param>
    /// <returns>The fill applied, or null when the report applied none (a duplicate trade id, a status report).</returns>
    ValueTask<Fill?> ApplyAsync(ExecutionReport report, CancellationToken cancellationToken = default);
}

/// <summary>
/// The plain sink for hosts without an engine (tools, tests): the report goes to an <see cref="OrderManager"/> and the
/// fill it produced to a <see cref="PortfolioLedger"/>.
/// </summary>
/// <param name="orders">The OMS.</param>
/// <param name="portfolio">The portfolio.</param>
public sealed class OrderManagerReportSink(OrderManager orders, PortfolioLedger portfolio) : IExecutionReportSink
{
    /// <inheritdoc />
    public async ValueTask<Fill?> ApplyAsync(ExecutionReport report, CancellationToken cancellationToken = default)
    {
        var fill = await orders.ApplyReportAsync(report, cancellationToken).ConfigureAwait(false);
        if (fill is not null)
        {
            portfolio.ApplyFill(fill);
        }

        return fill;
    }
}
