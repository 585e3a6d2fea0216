using System.Text.Json;
using TradingKit.Commands;
using TradingKit.Testing.Stores;
using TradingKit.Events;

namespace TradingKit.Postgres.Tests;

/// <summary>A JSON serializer for the test payloads, standing in for the core event catalogue's.</summary>
public sealed class TestEventSerializer : IEventPayloadSerializer
{
    private static readonly Dictionary<string, Type> Types = new[] { typeof(TestEvent), typeof(OtherTestEvent), typeof(TestLockReleased) }
        .ToDictionary(t => t.Name);

    public string GetTypeName(ITradingEvent payload) => payload.GetType().Name;

    public int GetSchemaVersion(ITradingEvent payload) => 1;

    public string Serialize(ITradingEvent payload) => JsonSerializer.Serialize(payload, payload.GetType());

    public ITradingEvent Deserialize(string typeName, int schemaVersion, string json) =>
        (ITradingEvent)JsonSerializer.Deserialize(json, Types[typeName])!;
}

/// <summary>A JSON serializer for the test command.</summary>
public sealed class TestCommandSerializer : ICommandPayloadSerializer
{
    public string GetTypeName(ITradingCommand payload) => payload.GetType().Name;

    public string Serialize(ITradingCommand payload) => JsonSerializer.Serialize(payload, payload.GetType());

    public ITradingCommand Deserialize(string typeName, string json) =>
        typeName == nameof(TestCommand) ? JsonSerializer.Deserialize<TestCommand>(json)! : throw new InvalidOperationException(typeName);
}
