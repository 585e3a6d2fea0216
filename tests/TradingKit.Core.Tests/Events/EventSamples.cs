using TradingKit.Domain;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Risk;

namespace TradingKit.Core.Tests.Events;

/// <summary>One sample of every event type, with a non-default value in every field.</summary>
internal static class EventSamples
{
    public static readonly ClientOrderId OrderId = new("tk-2q7hx4c5mlb3kq6dyzjw4pe7u");
    public static readonly Symbol Btc = new("BTCUSDT");
    public static readonly DateTimeOffset At = new DateTimeOffset(2025, 6, 2, 22, 30, 15, 123, TimeSpan.FromHours(9)).AddTicks(4567);

    public static IReadOnlyList<ITradingEvent> All { get; } =
    [
        new EngineStarted(new SessionId("2025-06-02-live-01"), "live", "1.4.2+abc123", "sha256:9f86d081"),
        new EngineStopped(new SessionId("2025-06-02-live-01"), "shutdown"),
        new EnginePaused("operator maintenance", "alice"),
        new EngineResumed("maintenance done", "alice"),
        new EngineModeChanged("paper", "live", "alice", "go-live checklist passed"),
        new EngineStateChanged("RECOVERING", "RUNNING", "recovery_completed"),
        new ManualOverrideExecuted("alice", "close_position", "stuck hedge", Guid.Parse("5b1c0d9e-8f3a-4e2b-9c7d-1a2b3c4d5e6f")),
        new ConfigChanged("risk.max_order_notional", 42, "sha256:2c26b46b", "bob"),
        new KillSwitchChanged(true, "daily loss limit", "risk-guard", true),
        new RiskGuardRejected("max_order_notional", "RISK_MAX_ORDER_NOTIONAL", 10000m, 12500.25m, OrderId, Btc, "notional 12500.25 above 10000"),
        new RiskGuardTripped("daily_loss", 500m, 612.75m, TradingState.Halted, "daily loss 612.75 above 500",
            new PortfolioFigures(9387.25m, 9400.5m, 10050m, -612.75m, 13.25m, 2, 3),
            new ExecutionQualityFigures(0.125m, 0.25m, 1.5m, 7.25m, 850m, 4)),
        new OrderSubmitted
        {
            ClientOrderId = OrderId,
            Symbol = Btc,
            Side = OrderSide.Sell,
            Type = OrderType.StopLimit,
            Quantity = 0.015m,
            LimitPrice = 64999.9m,
            StopPrice = 65000.1m,
            TrailingOffset = 25.5m,
            TimeInForce = TimeInForce.Gtd,
            ExpireAt = At.AddDays(1),
            ReduceOnly = true,
            PositionSide = PositionSide.Long,
            StrategyId = new StrategyId("breakout-20d"),
            IntentKey = "stop_loss",
            DecisionPrice = 65012.35m,
        },
        new OrderAccepted(OrderId, Btc, new VenueOrderId("8389765589274")),
        new OrderRejected(OrderId, Btc, "Margin is insufficient.", "-2019"),
        new OrderDenied(OrderId, Btc, "KILL_SWITCH_ACTIVE", "kill_switch", "the kill switch is on"),
        new OrderTriggered(OrderId, Btc, 65000.1m),
        new OrderCancelRequested(OrderId, Btc, "stop_plan"),
        new OrderCancelRejected(OrderId, Btc, "Unknown order sent.", "-2011"),
        new OrderUpdateRequested(OrderId, Btc, 0.02m, 64900m, 64950m),
        new OrderUpdated(OrderId, Btc, 0.02m, 64900m, 64950m),
        new OrderUpdateRejected(OrderId, Btc, "Order would immediately trigger.", "-2021"),
        new OrderCancelled(OrderId, Btc, 0.005m, "operator"),
        new OrderExpired(OrderId, Btc, 0.001m),
        new OrderFilled
        {
            TradeId = new TradeId("698759"),
            ClientOrderId = OrderId,
            VenueOrderId = new VenueOrderId("8389765589274"),
            Symbol = Btc,
            Side = OrderSide.Sell,
            Quantity = 0.00000001m,
            Price = 79228162514264337593543950335m,
            Fee = -0.0000125m,
            FeeCurrency = "USDT",
            Liquidity = LiquiditySide.Maker,
            PositionSide = PositionSide.Short,
            ExecutedAt = At,
        },
        new PositionChanged(Btc, PositionSide.Short, -0.015m, 65010.5m, -3.25m),
        new BalanceChanged("USDT", 10012.5m, 9000.25m, -1.75m, "fee"),
        new FeeCharged("USDT", 0.39m, Btc, OrderId, new TradeId("698759")),
        new FundingApplied(Btc, "USDT", -0.65m, 0.0001m, -0.015m),
        new TransferRecorded("tr-1001", "USDT", 250m, "spot", "usdm-futures", TransferStatus.Failed, "insufficient balance"),
        new DepositRecorded("0xabc123", "USDT", 1000m, TransferStatus.Detected),
        new WithdrawalRecorded("wd-77", "USDT", 300m, 1m, TransferStatus.Failed, "address not whitelisted"),
        new DriftDetected(DriftKind.Position, "BTCUSDT", "0.015", "0.010", "venue reports a smaller long"),
        new ReconciliationPerformed("startup", true, 2, 2, TimeSpan.FromMilliseconds(1234.5)),
        new QuarantineStarted("BTCUSDT", "unexplained position drift"),
        new QuarantineCompleted("BTCUSDT", "operator"),
        new VenueConnected("binance-usdm", "user_data"),
        new VenueDisconnected("binance-usdm", "user_data", "listen key expired"),
        new VenueReconnected("binance-usdm", "user_data", 3, TimeSpan.FromSeconds(12.75)),
        new WorkerStarted("worker-a", 4242, "trade-01"),
        new CandidateScanned("worker-a", 2500, [new Symbol("005930"), new Symbol("000660")]),
        new LockAcquired(new Symbol("005930"), "worker-a", TimeSpan.FromSeconds(30)),
        new LockRejected(new Symbol("005930"), "worker-b", "worker-a"),
        new LockReleased(new Symbol("005930"), "worker-a", "heartbeat_lost"),
        new PositionEntered("worker-a", new Symbol("005930"), 10m, 71200m, OrderId),
        new PositionExited("worker-a", new Symbol("005930"), -10m, 72500m, 12750.5m, "take_profit"),
        new PositionMonitored("worker-a", new Symbol("005930"), 71900m, 6950.25m),
        new MandatoryLiquidationTriggered(At, [new Symbol("005930"), new Symbol("035720")]),
        new RiskViolationRecorded("worker-a", new Symbol("005930"), "capital_limit", 1000000m, 1068000m, "order value above the capital limit"),
        new DecisionRecorded
        {
            StrategyId = new StrategyId("breakout-20d"),
            Symbol = Btc,
            Action = "buy",
            ReasonCodes = ["BREAKOUT_20D", "VOLUME_SURGE"],
            DecisionTime = At,
            Quantity = 0.015m,
            ReferencePrice = 65000.5m,
            IntentKey = "entry",
        },
        new SessionSummaryRecorded
        {
            SessionId = new SessionId("2025-06-02-live-01"),
            TradingDay = new DateOnly(2025, 6, 2),
            TradeCount = 7,
            WinCount = 4,
            RealizedPnl = 123.45m,
            Fees = 6.78m,
            MaxLoss = -40.5m,
            MaxDrawdown = 88.25m,
            SlippageBpsP50 = 1.25m,
        },
        new ProposalCreated("p-17", new StrategyId("kis-momentum"), new Symbol("005930"), OrderSide.Sell, 10m, 71200m, "sha256:cafe"),
        new ProposalApproved("p-17", "admin", At.AddHours(1)),
        new ProposalRejected("p-17", "admin", "too close to the close"),
    ];
}
