using System.Text;
using System.Text.Json.Nodes;
using TradingKit.Commands;
using TradingKit.Core.Tests.Events;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Orders;

namespace TradingKit.Core.Tests.Commands;

public sealed class CommandSerializerTests
{
    private static readonly ClientOrderId OrderId = new("tk-manual-1");
    private static readonly Symbol Eth = new("ETHUSDT");

    /// <summary>One sample of every command type, with a non-default value in every field.</summary>
    internal static IReadOnlyList<ITradingCommand> Samples { get; } =
    [
        new PauseEngine("exchange maintenance"),
        new ResumeEngine("maintenance over"),
        new SetEngineMode("live", "go-live checklist passed"),
        new CancelAll(Eth, "stop plan"),
        new RunReconcile("operator check"),
        new RebuildProjection("positions", 1001),
        new UpdateConfig("risk.max_order_notional", "25000", 41),
        new SetKillSwitch(true, "abnormal latency"),
        new ResetSafeMode("trip cause understood"),
        new ApproveProposal("p-17", TimeSpan.FromMinutes(60)),
        new RejectProposal("p-17", "too close to the close"),
        new PlaceOrder
        {
            Symbol = Eth,
            Side = OrderSide.Sell,
            Type = OrderType.TrailingStop,
            Quantity = 1.25m,
            LimitPrice = 3499.99m,
            StopPrice = 3500.01m,
            TrailingOffset = 12.5m,
            TimeInForce = TimeInForce.Gtd,
            ExpireAt = EventSamples.At,
            ReduceOnly = true,
            PositionSide = PositionSide.Long,
            ClientOrderId = OrderId,
        },
        new CancelOrder(OrderId, Eth, "operator"),
        new ModifyOrder(OrderId, Eth, 2.5m, 3400.5m, 3390.25m),
        new ClosePosition(Eth, PositionSide.Short, 0.5m, "reduce exposure"),
        new SetLeverage(Eth, 5),
    ];

    public static TheoryData<string> SampleNames()
    {
        var data = new TheoryData<string>();
        foreach (var sample in Samples)
        {
            data.Add(CommandCatalog.GetTypeName(sample));
        }

        return data;
    }

    private static ITradingCommand Sample(string typeName) => Samples.Single(c => CommandCatalog.GetTypeName(c) == typeName);

    [Fact]
    public void EveryCommandTypeInCore_IsRegisteredAndHasExactlyOneSample()
    {
        var commandTypes = typeof(ITradingCommand).Assembly.GetTypes()
            .Where(t => typeof(ITradingCommand).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .ToHashSet();
        var sampleTypes = Samples.Select(c => c.GetType()).ToList();
        var registered = CommandCatalog.Entries.Where(e => e.ClrType.Assembly == typeof(ITradingCommand).Assembly).Select(e => e.ClrType).ToHashSet();

        Assert.Empty(commandTypes.Except(registered));
        Assert.Empty(commandTypes.Except(sampleTypes));
        Assert.Equal(sampleTypes.Count, sampleTypes.Distinct().Count());
        Assert.Equal(commandTypes.Count, registered.Count);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Sample_SetsEveryField(string typeName) => PayloadAssert.EveryFieldSet(Sample(typeName), typeName);

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void SerializeThenDeserialize_PreservesEveryField(string typeName)
    {
        var sample = Sample(typeName);

        var read = CommandSerializer.Deserialize(typeName, CommandSerializer.Serialize(sample));

        PayloadAssert.DeepEqual(sample, read, typeName);
    }

    [Fact]
    public void TypeNamesAndSchemaVersions_ArePinned()
    {
        var pinned = new Dictionary<Type, string>
        {
            [typeof(PauseEngine)] = "pause_engine",
            [typeof(ResumeEngine)] = "resume_engine",
            [typeof(SetEngineMode)] = "set_engine_mode",
            [typeof(CancelAll)] = "cancel_all",
            [typeof(RunReconcile)] = "run_reconcile",
            [typeof(RebuildProjection)] = "rebuild_projection",
            [typeof(UpdateConfig)] = "update_config",
            [typeof(SetKillSwitch)] = "set_kill_switch",
            [typeof(ResetSafeMode)] = "reset_safe_mode",
            [typeof(ApproveProposal)] = "approve_proposal",
            [typeof(RejectProposal)] = "reject_proposal",
            [typeof(PlaceOrder)] = "place_order",
            [typeof(CancelOrder)] = "cancel_order",
            [typeof(ModifyOrder)] = "modify_order",
            [typeof(ClosePosition)] = "close_position",
            [typeof(SetLeverage)] = "set_leverage",
        };
        var builtIn = CommandCatalog.Entries.Where(e => e.ClrType.Assembly == typeof(ITradingCommand).Assembly).ToList();

        Assert.Equal(pinned.Count, builtIn.Count);
        foreach (var entry in builtIn)
        {
            Assert.Equal(pinned[entry.ClrType], entry.TypeName);
            Assert.Equal(1, entry.SchemaVersion);
            Assert.True(CommandCatalog.IsRegistered(entry.TypeName));
            Assert.Equal(entry.ClrType, CommandCatalog.GetClrType(entry.TypeName));
        }

        Assert.All(Samples, s => Assert.Equal(1, CommandCatalog.GetSchemaVersion(s)));
    }

    [Fact]
    public void Deserialize_UnknownTypeName_ThrowsUnknownTypeName()
    {
        var ex = Assert.Throws<TradingKitException>(() => CommandSerializer.Deserialize("launch_rocket", "{}"u8));

        Assert.Equal(ErrorCodes.UnknownTypeName, ex.Code);
    }

    [Theory]
    [InlineData("{\"symbol\":\"ETHUSDT\"}")]
    [InlineData("{\"symbol\":\"ETHUSDT\",\"leverage\":\"5\"}")]
    [InlineData("{\"symbol\":\"ETHUSDT\",\"leverage\":5.5}")]
    [InlineData("{\"symbol\":\"ETHUSDT\",\"leverage\":5,\"margin\":\"ISOLATED\"}")]
    [InlineData("{\"symbol\":\"\",\"leverage\":5}")]
    [InlineData("{\"symbol\":\"ETHUSDT\",\"leverage\":5")]
    public void Deserialize_MalformedPayload_ThrowsMalformedPayload(string json)
    {
        var ex = Assert.Throws<TradingKitException>(() => CommandSerializer.Deserialize("set_leverage", Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
    }

    [Fact]
    public void PlaceOrder_WithoutClientOrderIdProperty_IsMalformed_ButExplicitNullIsAccepted()
    {
        var node = JsonNode.Parse(CommandSerializer.Serialize(Sample("place_order")))!.AsObject();
        node["client_order_id"] = null;
        var withNull = (PlaceOrder)CommandSerializer.Deserialize("place_order", Encoding.UTF8.GetBytes(node.ToJsonString()));
        node.Remove("client_order_id");

        var ex = Assert.Throws<TradingKitException>(() => CommandSerializer.Deserialize("place_order", Encoding.UTF8.GetBytes(node.ToJsonString())));

        Assert.Null(withNull.ClientOrderId);
        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
    }

    [Fact]
    public void PlaceOrder_ToRequest_UsesItsOwnIdOrTheFallback()
    {
        var place = (PlaceOrder)Sample("place_order");
        var fallback = new ClientOrderId("tk-fallback");

        Assert.Equal(OrderId, place.ToRequest(fallback).ClientOrderId);
        Assert.Equal(fallback, (place with { ClientOrderId = null }).ToRequest(fallback).ClientOrderId);
        Assert.Equal(place.TrailingOffset, place.ToRequest(fallback).TrailingOffset);
    }

    [Fact]
    public void ModifyOrder_ToRequest_CarriesEveryField()
    {
        var modify = (ModifyOrder)Sample("modify_order");

        Assert.Equal(new ModifyRequest(OrderId, Eth, 2.5m, 3400.5m, 3390.25m), modify.ToRequest());
    }

    [Fact]
    public void EveryCommandType_RoundTripsInsideAnEnvelope()
    {
        foreach (var sample in Samples)
        {
            var envelope = new CommandEnvelope(Guid.NewGuid(), "ui-click-42", sample, "alice", EventSamples.At, CorrelationId.New());

            var read = CommandSerializer.DeserializeEnvelope(CommandSerializer.SerializeEnvelope(envelope));

            PayloadAssert.DeepEqual(envelope, read, CommandCatalog.GetTypeName(sample));
        }
    }

    [Theory]
    [InlineData("command_type", "\"launch_rocket\"", ErrorCodes.UnknownTypeName)]
    [InlineData("command_id", "42", ErrorCodes.MalformedPayload)]
    [InlineData("idempotency_key", "null", ErrorCodes.MalformedPayload)]
    [InlineData("issued_at", "\"soon\"", ErrorCodes.MalformedPayload)]
    public void DeserializeEnvelope_BadField_ThrowsItsCode(string property, string jsonValue, string code)
    {
        var envelope = new CommandEnvelope(Guid.NewGuid(), "k-1", new PauseEngine("x"), "alice", EventSamples.At, CorrelationId.New());
        var node = JsonNode.Parse(CommandSerializer.SerializeEnvelope(envelope))!.AsObject();
        node[property] = JsonNode.Parse(jsonValue);

        var ex = Assert.Throws<TradingKitException>(() => CommandSerializer.DeserializeEnvelope(Encoding.UTF8.GetBytes(node.ToJsonString())));

        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void DeserializeEnvelope_MissingActor_ThrowsMalformedPayloadNamingIt()
    {
        var envelope = new CommandEnvelope(Guid.NewGuid(), "k-1", new PauseEngine("x"), "alice", EventSamples.At, CorrelationId.New());
        var node = JsonNode.Parse(CommandSerializer.SerializeEnvelope(envelope))!.AsObject();
        node.Remove("actor");

        var ex = Assert.Throws<TradingKitException>(() => CommandSerializer.DeserializeEnvelope(Encoding.UTF8.GetBytes(node.ToJsonString())));

        Assert.Equal(ErrorCodes.MalformedPayload, ex.Code);
        Assert.Contains("actor", ex.Message, StringComparison.Ordinal);
    }
}
