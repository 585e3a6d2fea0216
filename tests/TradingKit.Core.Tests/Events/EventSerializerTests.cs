using System.Buffers;
using System.Globalization;
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
            Assert.Equal(PinnedVersion(entry.ClrType), entry.SchemaVersion);
            Assert.Equal(entry.ClrType, EventCatalog.GetClrType(entry.TypeName));
        }

        foreach (var sample in EventSamples.All)
        {
            Assert.Equal(pinned[sample.GetType()], EventCatalog.GetTypeName(sample));
            Assert.Equal(PinnedVersion(sample.GetType()), EventCatalog.GetSchemaVersion(sample));
        }
    }

    // Every built-in type is at version 1 but these; order_submitted gained decision_price in version 2.
    private static int PinnedVersion(Type type) => type == typeof(OrderSubmitted) ? 2 : 1;

    /// <summary>The JSON of an order_submitted as schema version 1 stored it: no decision_price.</summary>
    private const string OrderSubmittedV1 =
        "{\"client_order_id\":\"tk-old-1\",\"symbol\":\"SPX\",\"side\":\"BUY\",\"type\":\"LIMIT\",\"quantity\":1.50," +
        "\"limit_price\":4999.25,\"stop_price\":null,\"trailing_offset\":null,\"time_in_force\":\"GTC\",\"expire_at\":null," +
        "\"reduce_only\":false,\"position_side\":\"BOTH\",\"strategy_id\":\"ma-cross\",\"intent_key\":null}";

    [Fact]
    public void OrderSubmitted_StoredAtVersion1_IsUpcast_WithNoDecisionPrice()
    {
        var payload = Assert.IsType<OrderSubmitted>(EventSerializer.Deserialize("order_submitted", 1, Encoding.UTF8.GetBytes(OrderSubmittedV1)));

        Assert.Null(payload.DecisionPrice);
        Assert.Equal(new ClientOrderId("tk-old-1"), payload.ClientOrderId);
        Assert.Equal(1.50m, payload.Quantity);
        Assert.Equal("1.50", payload.Quantity.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(4999.25m, payload.LimitPrice);

        // Read as the current version, the same JSON is refused: version 2 requires the field.
        var missing = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_submitted", 2, Encoding.UTF8.GetBytes(OrderSubmittedV1)));
        Assert.Equal(ErrorCodes.MalformedPayload, missing.Code);
        Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_submitted", Encoding.UTF8.GetBytes(OrderSubmittedV1)));
    }

    [Fact]
    public void OrderSubmitted_AtVersion2_KeepsItsDecisionPrice_InAStoredEnvelope()
    {
        var submitted = (OrderSubmitted)EventSamples.All.Single(e => e is OrderSubmitted);
        var envelope = new EventEnvelope(Guid.NewGuid(), "order-x", 1, 7, "order_submitted", 2, EventSamples.At, EventSamples.At, CorrelationId.New(), null, "submit:x", submitted);

        var back = EventSerializer.DeserializeEnvelope(EventSerializer.SerializeEnvelope(envelope));

        Assert.Equal(65012.35m, Assert.IsType<OrderSubmitted>(back.Payload).DecisionPrice);
        Assert.Equal(2, back.SchemaVersion);
    }

    [Fact]
    public void StoredEnvelope_AtAnOlderVersion_IsUpcast_AndSaysTheVersionItNowHas()
    {
        var json = "{\"event_id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"stream_id\":\"order-tk-old-1\",\"stream_version\":1," +
            "\"global_position\":12,\"event_type\":\"order_submitted\",\"schema_version\":1," +
            "\"occurred_at\":\"2025-06-02T13:30:15.123+00:00\",\"recorded_at\":\"2025-06-02T13:30:15.123+00:00\"," +
            "\"correlation_id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae8\",\"causation_id\":null,\"dedup_key\":null,\"payload\":" + OrderSubmittedV1 + "}";

        var envelope = EventSerializer.DeserializeEnvelope(Encoding.UTF8.GetBytes(json));

        Assert.Null(Assert.IsType<OrderSubmitted>(envelope.Payload).DecisionPrice);
        Assert.Equal(2, envelope.SchemaVersion);
        Assert.Equal(12, envelope.GlobalPosition);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void StoredPayload_AtAVersionThisBuildCannotRead_IsMalformed(int version)
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("order_submitted", version, Encoding.UTF8.GetBytes(OrderSubmittedV1)));

        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
        Assert.Contains($"schema version {version}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StoredPayload_AtAnOlderVersionWithoutAnUpcaster_IsMalformed_AndNamesTheMissingStep()
    {
        // engine_started is at version 1 with no upcaster, so only a registered type with a gap can show it: register one.
        EventCatalog.Register("tests.upcast_gap_noted", 3, UpcastTestContext.Default.UpcastGapNoted);
        EventCatalog.RegisterUpcaster("tests.upcast_gap_noted", 2, static o =>
        {
            o["text"] = o["note"]!.GetValue<string>().ToUpperInvariant();
            o.Remove("note");
            return o;
        });

        // Version 2 has its step and reads; version 1 has none and is refused with the step it lacks.
        var read = Assert.IsType<UpcastGapNoted>(EventSerializer.Deserialize("tests.upcast_gap_noted", 2, "{\"note\":\"kept\"}"u8));
        Assert.Equal("KEPT", read.Text);
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("tests.upcast_gap_noted", 1, "{\"note\":\"lost\"}"u8));
        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
        Assert.Contains("no upcaster from version 1", ex.Message, StringComparison.Ordinal);

        // A failing upcaster is a typed error too, and a second upcaster for the same step, or one from the current
        // version, is refused at registration.
        var broken = Assert.Throws<TradingKitException>(() => EventSerializer.Deserialize("tests.upcast_gap_noted", 2, "{\"other\":1}"u8));
        Assert.Equal(ErrorCodes.MalformedPayload, broken.Code);
        Assert.Throws<ArgumentException>(() => EventCatalog.RegisterUpcaster("tests.upcast_gap_noted", 2, static o => o));
        Assert.Throws<ArgumentOutOfRangeException>(() => EventCatalog.RegisterUpcaster("tests.upcast_gap_noted", 3, static o => o));
        Assert.Throws<TradingKitException>(() => EventCatalog.RegisterUpcaster("tests.never_registered", 1, static o => o));
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

        var again = OrderSubmitted.From(submitted.ToRequest(), submitted.StrategyId, submitted.IntentKey, submitted.DecisionPrice);

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

/// <summary>An application event at schema version 3 whose version 2 had <c>note</c> where version 3 has <c>text</c>.</summary>
public sealed record UpcastGapNoted(string Text) : ITradingEvent;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(UpcastGapNoted))]
internal sealed partial class UpcastTestContext : JsonSerializerContext;
