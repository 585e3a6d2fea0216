using TradingKit.Stores.InMemory;
using System.Text.Json;
using TradingKit.Brokers;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Journal;
using TradingKit.Orders;

namespace TradingKit.Paper.Tests.Pipeline;

public sealed class PaperPipelineTests
{

    [Fact]
    public async Task TEST710_PaperEndToEnd_DecisionOrderFillPortfolioJournal()
    {
        var bars = PaperPipeline.LoadBars(400);
        await using var pipeline = PaperPipeline.Create(bars);

        var summary = await pipeline.RunAsync(bars);

        // decision → order → simulated fill → portfolio → journal
        var decisions = pipeline.ReadJsonl("decisions.jsonl");
        Assert.Equal(bars.Count, decisions.Count);
        Assert.Contains(decisions, d => d.GetProperty("action").GetString() == "buy");
        Assert.All(decisions, d => Assert.True(d.GetProperty("reason_codes").GetArrayLength() > 0));

        var records = pipeline.ReadJsonl("orders_fills.jsonl");
        var submitted = records.Where(r => r.GetProperty("type").GetString() == "order_submitted").ToList();
        var fills = records.Where(r => r.GetProperty("type").GetString() == "fill").ToList();
        Assert.NotEmpty(submitted);
        Assert.NotEmpty(fills);
        Assert.True(summary.Trades > 0, "the strategy should complete at least one round trip over 400 days");
        Assert.Equal(fills.Count, summary.Fills);
        Assert.Equal(EngineState.Stopped, pipeline.Engine.State);

        // The portfolio agrees with the venue's own account.
        var venuePositions = await pipeline.Venue.GetPositionsAsync();
        var venueQty = venuePositions.Where(p => p.Symbol == PaperPipeline.Spx).Sum(p => p.Quantity);
        Assert.Equal(venueQty, pipeline.Engine.Portfolio.GetNetQuantity(PaperPipeline.Spx));
        var cash = (await pipeline.Venue.GetBalancesAsync()).Single(b => b.Asset == "USD").Total;
        Assert.Equal(cash, pipeline.Engine.Portfolio.Cash);

        // Every order change and fill is an event in the store.
        var events = new List<EventEnvelope>();
        await foreach (var e in pipeline.Store.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.Equal(fills.Count, events.Count(e => e.Payload is OrderFilled));
        Assert.Equal(submitted.Count, events.Count(e => e.Payload is OrderSubmitted));
        Assert.Contains(events, e => e.Payload is EngineStarted);
        Assert.Contains(events, e => e.Payload is EngineStopped);
    }

    [Fact]
    public async Task Journal_ReconcilesOnItsOwn_FillsPositionsRoundTripsAndEquity()
    {
        var bars = PaperPipeline.LoadBars(1200);
        await using var pipeline = PaperPipeline.Create(bars);
        await pipeline.RunAsync(bars);

        var summary = pipeline.ReadJson("summary.json");
        var fills = pipeline.ReadJsonl("orders_fills.jsonl").Where(r => r.GetProperty("type").GetString() == "fill").ToList();
        var trades = pipeline.ReadJsonl("trades.jsonl");
        Assert.NotEmpty(trades);

        // Fills add up to positions.
        var position = fills.Sum(f => (f.GetProperty("side").GetString() == "buy" ? 1 : -1) * f.GetProperty("qty").GetDecimal());
        var finalPositions = summary.GetProperty("final_positions");
        var reported = finalPositions.TryGetProperty("SPX", out var p) ? p.GetDecimal() : 0m;
        Assert.Equal(position, reported);

        // Cash follows from the fills alone.
        var cash = 100_000m - fills.Sum(f => (f.GetProperty("side").GetString() == "buy" ? 1 : -1) * f.GetProperty("qty").GetDecimal() * f.GetProperty("price").GetDecimal())
            - fills.Sum(f => f.GetProperty("fee").GetDecimal());
        Assert.Equal(cash, summary.GetProperty("final_cash").GetDecimal());

        // Cash + positions at the last price equal the reported equity.
        var last = summary.GetProperty("last_prices").GetProperty("SPX").GetDecimal();
        Assert.Equal(summary.GetProperty("final_cash").GetDecimal() + (reported * last), summary.GetProperty("final_equity").GetDecimal());

        // Round trips add up to realised PnL (the strategy only opens from flat and closes to flat), and fees to fees.
        Assert.Equal(trades.Sum(t => t.GetProperty("gross_pnl").GetDecimal()), summary.GetProperty("realized_pnl").GetDecimal());
        Assert.Equal(trades.Count, summary.GetProperty("trades").GetInt32());
        var openFees = reported == 0m ? 0m : fills.Last().GetProperty("fee").GetDecimal();
        Assert.Equal(trades.Sum(t => t.GetProperty("fees").GetDecimal()) + openFees, summary.GetProperty("fees").GetDecimal());
        Assert.Equal(100_000m + summary.GetProperty("realized_pnl").GetDecimal() + summary.GetProperty("unrealized_pnl").GetDecimal() - summary.GetProperty("fees").GetDecimal(),
            summary.GetProperty("final_equity").GetDecimal());
    }

    [Fact]
    public async Task Determinism_SameSeedAndData_GiveByteIdenticalJournal()
    {
        var bars = PaperPipeline.LoadBars(800);
        static void Faults(PaperVenueOptions o)
        {
            o.Faults.Seed = 7;
            o.Faults.UnknownOutcomeRate = 0.2;
            o.Faults.DropAckRate = 0.2;
            o.Faults.RejectRate = 0.1;
        }

        string[] Run(string root)
        {
            var pipeline = PaperPipeline.Create(bars, Faults, root: root);
            pipeline.RunAsync(bars).GetAwaiter().GetResult();
            pipeline.Engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return [File.ReadAllText(Path.Combine(pipeline.SessionDirectory, "orders_fills.jsonl")), File.ReadAllText(Path.Combine(pipeline.SessionDirectory, "trades.jsonl"))];
        }

        var rootA = Path.Combine(Path.GetTempPath(), "tradingkit-tests", Guid.NewGuid().ToString("N"));
        var rootB = Path.Combine(Path.GetTempPath(), "tradingkit-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var a = await Task.Run(() => Run(rootA));
            var b = await Task.Run(() => Run(rootB));
            Assert.NotEmpty(a[0]);
            Assert.Equal(a[0], b[0]);
            Assert.Equal(a[1], b[1]);
        }
        finally
        {
            Directory.Delete(rootA, true);
            Directory.Delete(rootB, true);
        }
    }

    [Fact]
    public async Task BoundedOrderRetention_ChangesNoTradingOutcome_AndReconciliationStaysClean()
    {
        // Unknown outcomes and dropped acks make the OMS query the venue, so the bound must never hide an order a query needs;
        // the reconciler must take the venue's fills of retired orders for the session's own (the venue keeps every fill here).
        var bars = PaperPipeline.LoadBars(1500);
        static void Faults(PaperVenueOptions o)
        {
            o.Faults.Seed = 11;
            o.Faults.UnknownOutcomeRate = 0.3;
            o.Faults.DropAckRate = 0.3;
            o.Faults.DisconnectRate = 0.02;
        }

        async Task<(string OrdersFills, string Trades, SessionSummaryRecord Summary, int Retired, List<string> Drifts)> RunAsync(bool bounded)
        {
            await using var pipeline = PaperPipeline.Create(bars, o =>
            {
                Faults(o);
                if (bounded)
                {
                    o.RetainedFinishedOrders = 8;
                }
            }, configure: o =>
            {
                o.Oms.RetainedTerminalOrders = bounded ? 1 : null;

                // A month between reconciliations: each one compares the fills of about two months, of orders long retired.
                o.ReconcileInterval = TimeSpan.FromDays(30);
            });
            var summary = await pipeline.RunAsync(bars);
            var retired = pipeline.Engine.Orders.RetiredOrderCount;
            var drifts = await pipeline.Store.ReadAllAsync()
                .Where(e => e.Payload is DriftDetected or QuarantineStarted)
                .Select(e => e.Payload is DriftDetected d ? $"{e.OccurredAt:O} {d.Kind} {d.Subject}: {d.Description}" : $"{e.OccurredAt:O} quarantine {((QuarantineStarted)e.Payload).Subject}")
                .ToListAsync();
            await pipeline.Engine.DisposeAsync();
            return (File.ReadAllText(Path.Combine(pipeline.SessionDirectory, "orders_fills.jsonl")),
                File.ReadAllText(Path.Combine(pipeline.SessionDirectory, "trades.jsonl")), summary, retired, drifts);
        }

        var all = await RunAsync(bounded: false);
        var bounded = await RunAsync(bounded: true);

        Assert.Equal(0, all.Retired);
        Assert.Equal(all.Drifts, bounded.Drifts);
        Assert.True(bounded.Retired > 10, $"the bound must have retired orders (retired {bounded.Retired})");
        Assert.NotEmpty(all.OrdersFills);
        Assert.Equal(all.OrdersFills, bounded.OrdersFills);
        Assert.Equal(all.Trades, bounded.Trades);
        Assert.Equal(all.Summary.Fills, bounded.Summary.Fills);
        Assert.Equal(all.Summary.FinalEquity, bounded.Summary.FinalEquity);
    }

    [Fact]
    public async Task FaultInjection_UnknownOutcomesAndDroppedAcks_AreResolvedByQuery_WithZeroDuplicateOrders()
    {
        var bars = PaperPipeline.LoadBars(1500);
        await using var pipeline = PaperPipeline.Create(bars, o =>
        {
            o.Faults.Seed = 11;
            o.Faults.UnknownOutcomeRate = 0.5;
            o.Faults.DropAckRate = 0.3;
        });

        var summary = await pipeline.RunAsync(bars);

        var oms = pipeline.Engine.Orders;
        Assert.True(oms.VenueCalls > oms.SubmittedCount, "unknown outcomes must have caused queries");
        Assert.All(oms.Orders, o => Assert.NotEqual(OrderStatus.Submitted, o.Status));

        // The venue holds exactly one order per client order id and every venue fill reached the portfolio once.
        var venueFills = await pipeline.Venue.GetRecentFillsAsync(null, DateTimeOffset.MinValue);
        Assert.Equal(venueFills.Count, summary.Fills);
        Assert.Equal(venueFills.Count, venueFills.Select(f => f.TradeId).Distinct().Count());
        Assert.Equal(oms.Orders.Count(o => o.FilledQuantity > 0), venueFills.Select(f => f.ClientOrderId).Distinct().Count());
        var venueQty = (await pipeline.Venue.GetPositionsAsync()).Sum(p => p.Quantity);
        Assert.Equal(venueQty, pipeline.Engine.Portfolio.GetNetQuantity(PaperPipeline.Spx));
    }

    [Fact]
    public async Task RebuildProjectionCommand_RewritesTheProjectionsFromTheLog_MatchingTheLiveSession()
    {
        var bars = PaperPipeline.LoadBars(900);
        var projections = new InMemoryProjectionStore();
        await using var pipeline = PaperPipeline.Create(bars, projections: projections);
        var summary = await pipeline.RunAsync(bars);

        var completion = new TaskCompletionSource<CommandResult>();
        var command = new Commands.CommandEnvelope(Guid.NewGuid(), "rebuild-1", new Commands.RebuildProjection("all", 1), "operator-1", bars[^1].Timestamp, Domain.CorrelationId.New());
        await pipeline.Engine.ProcessAsync(EngineInput.ForCommand(command, completion));
        var result = await completion.Task;

        Assert.True(result.Succeeded, result.Message);
        var orders = await projections.ListOrdersAsync();
        Assert.Equal(pipeline.Engine.Orders.Orders.Count(), orders.Count);
        Assert.Equal(summary.Fills, (await projections.ListFillsAsync()).Count);
        var position = await projections.GetPositionAsync(pipeline.Engine.AccountId, PaperPipeline.Spx);
        Assert.Equal(pipeline.Engine.Portfolio.GetNetQuantity(PaperPipeline.Spx), position?.Quantity ?? 0m);
        Assert.True(await projections.GetCheckpointAsync(Replay.ProjectionRebuilder.ProjectionName) > 0);

        var partial = new TaskCompletionSource<CommandResult>();
        await pipeline.Engine.ProcessAsync(EngineInput.ForCommand(command with { CommandId = Guid.NewGuid(), IdempotencyKey = "rebuild-2", Payload = new Commands.RebuildProjection("all", 10) }, partial));
        Assert.False((await partial.Task).Succeeded);
    }
}
