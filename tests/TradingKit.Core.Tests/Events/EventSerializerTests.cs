using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Events;

public sealed class EventSerializerTests
{
    public static TheoryData<string> SampleNames()
    {
        var data = new TheoryData<string>();
        foreach (var sample in EventSamples.All)
        {
            data.Add(EventCatalog.GetTypeName(sample));
        }

        return data;
    }

    private static ITradingEvent Sample(string typeName) => EventSamples.All.Single(e => EventCatalog.GetTypeName(e) == typeName);

    [Fact]
    public void EveryEventTypeInCore_IsRegisteredAndHasExactlyOneSample()
    {
        var eventTypes = typeof(ITradingEvent).Assembly.GetTypes()
            .Where(t => typeof(ITradingEvent).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .ToHashSet();
        var sampleTypes = EventSamples.All.Select(e => e.GetType()).ToList();
        var registered = EventCatalog.Entries.Where(e => e.ClrType.Assembly == typeof(ITradingEvent).Assembly).Select(e => e.ClrType).ToHashSet();

        Assert.Empty(eventTypes.Except(registered));
        Assert.Empty(eventTypes.Except(sampleTypes));
        Assert.Equal(sampleTypes.Count, sampleTypes.Distinct().Count());
        Assert.Equal(eventTypes.Count, registered.Count);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Sample_SetsEveryField(string typeName) => PayloadAssert.EveryFieldSet(Sample(typeName), typeName);

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void SerializeThenDeserialize_PreservesEveryField(string typeName)
    {
        var sample = Sample(typeName);

        var read = EventSerializer.Deserialize(typeName, EventSerializer.Serialize(sample));

        PayloadAssert.DeepEqual(sample, read, typeName);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void BufferAndWriterOverloads_WriteTheSameBytesAsSerialize(string typeName)
    {
        var sample = Sample(typeName);
        var expected = EventSerializer.Serialize(sample);
        var buffer = new ArrayBufferWriter<byte>();
        var viaWriter = new ArrayBufferWriter<byte>();

        EventSerializer.Serialize(sample, buffer);
        using (var writer = new Utf8JsonWriter(viaWriter))
        {
            EventSerializer.Serialize(sample, writer);
        }

        Assert.Equal(expected, buffer.WrittenSpan.ToArray());
        Assert.Equal(expected, viaWriter.WrittenSpan.ToArray());
    }

    [Fact]
    public void TypeNamesAndSchemaVersions_ArePinned()
    {
        // Stored events are found by these names: changing one orphans every stored event of the type.
        var pinned = new Dictionary<Type, string>
        {
            [typeof(EngineStarted)] = "engine_started",
            [typeof(EngineStopped)] = "engine_stopped",
            [typeof(EnginePaused)] = "engine_paused",
            [typeof(EngineResumed)] = "engine_resumed",
            [typeof(EngineModeChanged)] = "engine_mode_changed",
            [typeof(EngineStateChanged)] = "engine_state_changed",
            [typeof(ManualOverrideExecuted)] = "manual_override_executed",
            [typeof(ConfigChanged)] = "config_changed",
            [typeof(KillSwitchChanged)] = "kill_switch_changed",
            [typeof(RiskGuardRejected)] = "risk_guard_rejected",
            [typeof(RiskGuardTripped)] = "risk_guard_tripped",
            [typeof(OrderSubmitted)] = "order_submitted",
            [typeof(OrderAccepted)] = "order_accepted",
            [typeof(OrderRejected)] = "order_rejected",
            [typeof(OrderDenied)] = "order_denied",
            [typeof(OrderTriggered)] = "order_triggered",
            [typeof(OrderCancelRequested)] = "order_cancel_requested",
            [typeof(OrderCancelRejected)] = "order_cancel_rejected",
            [typeof(OrderUpdateRequested)] = "order_update_requested",
            [typeof(OrderUpdated)] = "order_updated",
            [typeof(OrderUpdateRejected)] = "order_update_rejected",
            [typeof(OrderCancelled)] = "order_cancelled",
            [typeof(OrderExpired)] = "order_expired",
            [typeof(OrderFilled)] = "order_filled",
            [typeof(PositionChanged)] = "position_changed",
            [typeof(BalanceChanged)] = "balance_changed",
            [typeof(FeeCharged)] = "fee_charged",
            [typeof(FundingApplied)] = "funding_applied",
            [typeof(TransferRecorded)] = "transfer_recorded",
            [typeof(DepositRecorded)] = "deposit_recorded",
            [typeof(WithdrawalRecorded)] = "withdrawal_recorded",
            [typeof(DriftDetected)] = "drift_detected",
            [typeof(ReconciliationPerformed)] = "reconciliation_performed",
            [typeof(QuarantineStarted)] = "quarantine_started",
            [typeof(QuarantineCompleted)] = "quarantine_completed",
            [typeof(VenueConnected)] = "venue_connected",
            [typeof(VenueDisconnected)] = "venue_disconnected",
            [typeof(VenueReconnected)] = "venue_reconnected",
            [typeof(WorkerStarted)] = "worker_started",
            [typeof(CandidateScanned)] = "candidate_scanned",
            [typeof(LockAcquired)] = "lock_acquired",
            [typeof(LockRejected)] = "lock_rejected",
            [typeof(LockReleased)] = "lock_released",
            [typeof(PositionEntered)] = "position_entered",
            [typeof(PositionExited)] = "position_exited",
            [typeof(PositionMonitored)] = "position_monitored",
            [typeof(MandatoryLiquidationTriggered)] = "mandatory_liquidation_triggered",
            [typeof(RiskViolationRecorded)] = "risk_violation_recorded",
            [typeof(DecisionRecorded)] = "decision_recorded",
            [typeof(SessionSummaryRecorded)] = "session_summary_recorded",
            [typeof(ProposalCreated)] = "proposal_created",
            [typeof(ProposalApproved)] = "proposal_approved",
            [typeof(ProposalRejected)] = "proposal_rejected",
        };
        var builtIn = EventCatalog.Entries.Where(e => e.ClrType.Assembly == typeof(ITradingEvent).Assembly).ToList();

        Assert.Equal(pinned.Count, builtIn.Count);
        foreach (var entry in builtIn)
        {
            Assert.Equal(pinned[entry.ClrType], entry.TypeName);
            Assert.Equal(1, entry.SchemaVersion);
            Assert.Equal(entry.ClrType, EventCatalog.GetClrType(entry.TypeName));
        }

        foreach (var sample in EventSamples.All)
        {
            Assert.Equal(pinned[sample.GetType()], EventCatalog.GetTypeName(sample));
            Assert.Equal(1, EventCatalog.GetSchemaVersion(sample));
        }
    }

    [Fact]
    public void OrderFilled_WireFormat_IsPinned()
    {
        // The stored form of the most frequent event: snake_case names, ids as strings, decimals as exact JSON numbers,
        // enums as UPPER_SNAKE names, timestamps as ISO 8601 with offset.
        var filled = new OrderFilled
        {
            TradeId = new TradeId("698759"),
            ClientOrderId = new ClientOrderId("tk-abc"),
            VenueOrderId = null,
            Symbol = new Symbol("BTCUSDT"),
            Side = OrderSide.Buy,
            Quantity = 0.00000001m,
            Price = 79228162514264337593543950335m,
            Fee = 1.50m,
            FeeCurrency = "USDT",
            Liquidity = LiquiditySide.Taker,
            PositionSide = PositionSide.Both,
            ExecutedAt = new DateTimeOffset(2025, 6, 2, 13, 30, 15, 123, TimeSpan.Zero),
        };

        var json = Encoding.UTF8.GetString(EventSerializer.Serialize(filled));

        Assert.Equal(
            """{"trade_id":"698759","client_order_id":"tk-abc","venue_order_id":null,"symbol":"BTCUSDT","side":"BUY","quantity":0.00000001,"price":79228162514264337593543950335,"fee":1.50,"fee_currency":"USDT","liquidity":"TAKER","position_side":"BOTH","executed_at":"2025-06-02T13:30:15.123+00:00"}""",
            json);
    }

    [Theory]
    [InlineData("0.00000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("12345.678900")]
    public void Decimals_RoundTripWithFullPrecisionAndScale(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var changed = new PositionChanged(EventSamples.Btc, PositionSide.Both, value, value, value);

        var bytes = EventSerializer.Serialize(changed);
        var read = (PositionChanged)EventSerializer.Deserialize("position_changed", bytes);

        Assert.Contains($"\"quantity\":{text}", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(text, read.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Deserialize_UnknownTypeName_ThrowsUnknownTypeName()
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_teleported", "{}"u8));

        Assert.Equal(ErrorCodes.UnknownTypeName, ex.Code);
    }

    [Fact]
    public void Serialize_UnregisteredEventType_ThrowsUnknownTypeName()
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Serialize(new UnregisteredEvent()));

        Assert.Equal(ErrorCodes.UnknownTypeName, ex.Code);
        Assert.Equal(ErrorCodes.UnknownTypeName, Assert.Throws<TradingKitException>(() => EventCatalog.GetTypeName(new UnregisteredEvent())).Code);
    }

    public static TheoryData<string, string> MalformedOrderFilled() => new()
    {
        { "not JSON", "{\"trade_id\":" },
        { "empty input", "" },
        { "JSON null", "null" },
        { "an array", "[]" },
        { "missing required field", Edit(o => o.Remove("trade_id")) },
        { "missing nullable field", Edit(o => o.Remove("venue_order_id")) },
        { "string for a decimal", Edit(o => o["quantity"] = "1.5") },
        { "decimal out of range", Edit(o => o["quantity"] = System.Text.Json.Nodes.JsonValue.Create(1e40)) },
        { "number for an id", Edit(o => o["trade_id"] = 698759) },
        { "number for an enum", Edit(o => o["side"] = 1) },
        { "unknown enum name", Edit(o => o["side"] = "SIDEWAYS") },
        { "null for a required string", Edit(o => o["fee_currency"] = null) },
        { "null for a required id", Edit(o => o["symbol"] = null) },
        { "invalid client order id", Edit(o => o["client_order_id"] = "not a venue-safe id!") },
        { "empty trade id", Edit(o => o["trade_id"] = "") },
        { "bad timestamp", Edit(o => o["executed_at"] = "yesterday") },
        { "unknown property", Edit(o => o["leverage"] = 20) },
        { "duplicate property", Encoding.UTF8.GetString(EventSerializer.Serialize(EventSamples.All.OfType<OrderFilled>().Single()))[..^1] + ",\"fee\":0}" },
    };

    [Theory]
    [MemberData(nameof(MalformedOrderFilled))]
    public void Deserialize_MalformedPayload_ThrowsMalformedPayload(string problem, string json)
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_filled", Encoding.UTF8.GetBytes(json)));

        Assert.True(ex.Code == ErrorCodes.MalformedPayload, $"{problem}: got {ex.Code}");
    }

    [Fact]
    public void Deserialize_MissingRequiredField_NamesTheField()
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_filled", Encoding.UTF8.GetBytes(Edit(o => o.Remove("fee_currency")))));

        Assert.Contains("fee_currency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_PositionalRecordWithoutItsNullableField_IsMalformed_ButExplicitNullIsAccepted()
    {
        var withNull = (OrderRejected)EventSerializer.Deserialize("order_rejected",
            """{"client_order_id":"tk-a","symbol":"BTCUSDT","reason":"Margin is insufficient.","venue_code":null}"""u8);

        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_rejected",
            """{"client_order_id":"tk-a","symbol":"BTCUSDT","reason":"Margin is insufficient."}"""u8));

        Assert.Null(withNull.VenueCode);
        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
        Assert.Contains("venue_code", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_DefaultId_ThrowsMalformedPayloadInsteadOfWritingNull()
    {
        var broken = new OrderAccepted(default, EventSamples.Btc, new VenueOrderId("1"));

        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Serialize(broken));

        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
    }

    [Fact]
    public void ImmutableArrays_WhenLeftDefault_SerializeAsEmpty()
    {
        var scanned = new CandidateScanned("worker-a", 0, default);

        var read = (CandidateScanned)EventSerializer.Deserialize("candidate_scanned", EventSerializer.Serialize(scanned));

        Assert.Empty(read.Candidates);
    }

    [Fact]
    public void OrderSubmitted_RoundTripsTheOrderRequest()
    {
        var submitted = EventSamples.All.OfType<OrderSubmitted>().Single();

        var again = OrderSubmitted.From(submitted.ToRequest(), submitted.StrategyId, submitted.IntentKey);

        Assert.Equal(submitted, again);
    }

    [Fact]
    public void OrderFilled_RoundTripsTheFill()
    {
        var filled = EventSamples.All.OfType<OrderFilled>().Single();

        Assert.Equal(filled, OrderFilled.From(filled.ToFill()));
    }

    [Fact]
    public void Register_ApplicationEvent_RoundTripsUnderItsName()
    {
        EventCatalog.Register("myapp.note_taken", 3, TestJsonContext.Default.NoteTaken);
        var note = new NoteTaken("remember the milk", 7.25m);

        var bytes = EventSerializer.Serialize(note);
        var read = EventSerializer.Deserialize("myapp.note_taken", bytes);

        Assert.Equal(note, read);
        Assert.Equal("myapp.note_taken", EventCatalog.GetTypeName(note));
        Assert.Equal(3, EventCatalog.GetSchemaVersion(note));
        Assert.Throws<ArgumentException>(() => EventCatalog.Register("order_filled", 1, TestJsonContext.Default.OtherNote));
        Assert.Throws<ArgumentException>(() => EventCatalog.Register("Bad Name", 1, TestJsonContext.Default.OtherNote));
    }

    private static string Edit(Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(EventSerializer.Serialize(EventSamples.All.OfType<OrderFilled>().Single()))!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    private sealed record UnregisteredEvent : ITradingEvent;
}

public sealed record NoteTaken(string Text, decimal Amount) : ITradingEvent;

public sealed record OtherNote(string Text) : ITradingEvent;

[JsonSerializable(typeof(NoteTaken))]
[JsonSerializable(typeof(OtherNote))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
