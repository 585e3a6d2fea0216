using System.Text;
using System.Text.Json.Nodes;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;

namespace TradingKit.Core.Tests.Events;

public sealed class EventEnvelopeSerializerTests
{
    private static EventEnvelope Envelope(ITradingEvent payload, Guid? causation, string? dedupKey) => new(
        Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        "order-tk-abc",
        7,
        1234567890123,
        EventCatalog.GetTypeName(payload),
        EventCatalog.GetSchemaVersion(payload),
        EventSamples.At,
        EventSamples.At.AddMilliseconds(3).ToUniversalTime(),
        new CorrelationId(Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7")),
        causation,
        dedupKey,
        payload);

    [Fact]
    public void EveryEventType_RoundTripsInsideAnEnvelope()
    {
        foreach (var sample in EventSamples.All)
        {
            var envelope = Envelope(sample, Guid.Parse("e02fd0e4-00fd-090a-ca30-0d00a0038ba0"), "trade:698759");

            var read = EventSerializer.DeserializeEnvelope(EventSerializer.SerializeEnvelope(envelope));

            PayloadAssert.DeepEqual(envelope, read, envelope.EventType);
        }
    }

    [Fact]
    public void NullCausationAndDedupKey_RoundTrip()
    {
        var envelope = Envelope(EventSamples.All[0], causation: null, dedupKey: null);

        var read = EventSerializer.DeserializeEnvelope(EventSerializer.SerializeEnvelope(envelope));

        Assert.Null(read.CausationId);
        Assert.Null(read.DedupKey);
        Assert.Equal(envelope with { Payload = read.Payload }, read);
    }

    [Fact]
    public void Envelope_IsOneLineOfJson_ForJsonl()
    {
        var json = Encoding.UTF8.GetString(EventSerializer.SerializeEnvelope(Envelope(EventSamples.All[0], null, null)));

        Assert.DoesNotContain('\n', json);
        var node = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("engine_started", (string?)node["event_type"]);
        Assert.Equal("2025-06-02-live-01", (string?)node["payload"]!["session_id"]);
    }

    [Fact]
    public void SerializeEnvelope_WhenEventTypeDisagreesWithPayload_Throws()
    {
        var envelope = Envelope(EventSamples.All[0], null, null) with { EventType = "order_filled" };

        Assert.Throws<ArgumentException>(() => EventSerializer.SerializeEnvelope(envelope));
    }

    [Fact]
    public void DeserializeEnvelope_UnknownEventType_ThrowsUnknownTypeName()
    {
        var json = Edit(o => o["event_type"] = "order_teleported");

        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.DeserializeEnvelope(json));

        Assert.Equal(ErrorCodes.UnknownTypeName, ex.Code);
    }

    public static TheoryData<string, string> MalformedEnvelopes() => new()
    {
        { "truncated", Encoding.UTF8.GetString(EventSerializer.SerializeEnvelope(Envelope(EventSamples.All[0], null, null)))[..40] },
        { "not an object", "[1,2]" },
        { "missing event id", Encoding.UTF8.GetString(Edit(o => o.Remove("event_id"))) },
        { "missing payload", Encoding.UTF8.GetString(Edit(o => o.Remove("payload"))) },
        { "payload not an object", Encoding.UTF8.GetString(Edit(o => o["payload"] = "{}")) },
        { "bad payload", Encoding.UTF8.GetString(Edit(o => o["payload"]!.AsObject().Remove("reason"))) },
        { "string stream version", Encoding.UTF8.GetString(Edit(o => o["stream_version"] = "7")) },
        { "bad uuid", Encoding.UTF8.GetString(Edit(o => o["correlation_id"] = "not-a-uuid")) },
        { "bad timestamp", Encoding.UTF8.GetString(Edit(o => o["occurred_at"] = 12)) },
        { "unknown property", Encoding.UTF8.GetString(Edit(o => o["extra"] = 1)) },
        { "trailing data", Encoding.UTF8.GetString(Edit(_ => { })) + "{}" },
    };

    [Theory]
    [MemberData(nameof(MalformedEnvelopes))]
    public void DeserializeEnvelope_Malformed_ThrowsMalformedPayload(string problem, string json)
    {
        var ex = Assert.Throws<TradingKitException>(() => EventSerializer.DeserializeEnvelope(Encoding.UTF8.GetBytes(json)));

        Assert.True(ex.Code == ErrorCodes.MalformedPayload, $"{problem}: got {ex.Code}");
    }

    private static byte[] Edit(Action<JsonObject> edit)
    {
        var stopped = new EngineStopped(new SessionId("s-1"), "shutdown");
        var node = JsonNode.Parse(EventSerializer.SerializeEnvelope(Envelope(stopped, null, "k")))!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
