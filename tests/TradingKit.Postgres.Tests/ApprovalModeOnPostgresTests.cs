using Microsoft.Extensions.DependencyInjection;
using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Events;
using TradingKit.Execution;
using TradingKit.Execution.Approvals;
using TradingKit.Instruments;
using TradingKit.MarketData;
using TradingKit.Risk;
using TradingKit.Stores;
using TradingKit.Strategies;
using TradingKit.Testing.Engine;
using TradingKit.Time;

namespace TradingKit.Postgres.Tests;

/// <summary>
/// Seed 001's approval mode on PostgreSQL: the proposals of a session that stopped are in the database, and the next
/// process (a new container, a new connection pool, a new engine of the same session) approves and places one of them
/// for the strategy that proposed it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ApprovalModeOnPostgresTests(PostgresServerFixture server)
{
    private static readonly byte[] SigningKey = [.. Enumerable.Range(7, 32).Select(i => (byte)i)];
    private static readonly Instrument Spx = new("SPX", tickSize: 0.01m, stepSize: 0.01m, minQuantity: 0.01m, maxQuantity: 1_000_000m);

    [Fact]
    public async Task SEED001_ProposalsOfAStoppedSession_AreApprovedAndPlaced_ByTheNextProcess()
    {
        await using var db = await server.CreateDatabaseAsync(migrated: false);
        var bars = PostgresTestBars.Load(300);
        var root = Path.Combine(Path.GetTempPath(), "tradingkit-pg-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // First process: every intent becomes a proposal; nothing reaches the venue.
            IReadOnlyList<OrderProposal> pending;
            await using (var first = Compose(db.ConnectionString, root, bars[0].OpenTime))
            {
                await first.GetRequiredService<PostgresMigrator>().MigrateAsync();
                var engine = first.GetRequiredService<TradingEngine>();
                var summary = await engine.RunAsync(new PostgresTestBars.ListFeed(bars));
                await engine.DisposeAsync();
                Assert.Equal(0, summary.OrdersSubmitted);
                pending = await first.GetRequiredService<ApprovalGate>().ListAsync(ProposalStatus.Pending);
            }

            Assert.True(pending.Count >= 2, $"the strategy proposed {pending.Count} times");

            // Second process, same database and session: it finds the proposals and places the approved one.
            await using var second = Compose(db.ConnectionString, root, bars[^1].Timestamp);
            var gate = second.GetRequiredService<ApprovalGate>();
            Assert.Equal(pending.Select(p => (p.Id, p.Order, p.Status)), (await gate.ListAsync(ProposalStatus.Pending)).Select(p => (p.Id, p.Order, p.Status)));
            var resumed = second.GetRequiredService<TradingEngine>();
            await resumed.StartAsync();
            var approve = await resumed.RunCommandAsync(new ApproveProposal(pending[0].Id.Value, TimeSpan.FromMinutes(5)), bars[^1].Timestamp, "approve-after-restart");
            var again = await resumed.RunCommandAsync(new ApproveProposal(pending[0].Id.Value, TimeSpan.FromMinutes(5)), bars[^1].Timestamp, "approve-again");
            var venueOrder = await second.GetRequiredService<IBrokerAdapter>().QueryOrderAsync(pending[0].Order.Symbol, pending[0].Order.ClientOrderId);
            await resumed.DisposeAsync();

            Assert.True(approve.Succeeded, approve.Message);
            Assert.False(again.Succeeded);
            Assert.Equal(ApprovalCodes.ProposalNotPending, again.Code);
            Assert.NotNull(venueOrder);
            Assert.Equal(ProposalStatus.Executed, (await gate.GetAsync(pending[0].Id))!.Status);
            Assert.Equal(ProposalStatus.Pending, (await gate.GetAsync(pending[1].Id))!.Status);

            var submitted = new List<OrderSubmitted>();
            await foreach (var e in second.GetRequiredService<IEventStore>().ReadAllAsync())
            {
                if (e.Payload is OrderSubmitted s)
                {
                    submitted.Add(s);
                }
            }

            // Placed once, as the proposal's order, for the strategy that proposed it (not as an operator's order).
            var order = Assert.Single(submitted);
            Assert.Equal(pending[0].Order.ClientOrderId, order.ClientOrderId);
            Assert.Equal((pending[0].Order.Side, pending[0].Order.Quantity), (order.Side, order.Quantity));
            Assert.Equal(new StrategyId("ma-cross"), order.StrategyId);
            Assert.Equal(pending[0].Context!.DecisionPrice, order.DecisionPrice);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static ServiceProvider Compose(string connectionString, string root, DateTimeOffset start)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new SimulationTimeProvider(start));
        services.AddTradingKit(o =>
            {
                o.SessionId = "approval-session";
                o.Execution.Mode = ExecutionMode.Paper;
                o.Execution.RequireApproval = true;
                o.Instruments.Add(Spx);
                o.Oms.RetryBaseDelay = TimeSpan.Zero;
            })
            .UsePostgres(connectionString)
            .UseInMemoryStores()
            .UsePaperVenue(o => o.Instruments = [Spx])
            .AddStrategy(new MovingAverageCrossStrategy(new MovingAverageCrossOptions { Symbol = "SPX", FastPeriod = 5, SlowPeriod = 20 }))
            .UseRiskGuard(new RiskOptions())
            .UseApprovalGate(new ApprovalGateOptions { SigningKey = SigningKey })
            .UseFileJournal(root, o => o.Resume = true);
        return services.BuildServiceProvider();
    }
}
