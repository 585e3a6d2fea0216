using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Events;

namespace TradingKit.Testing.Stores;

/// <summary>An event payload used only by the store contract suites.</summary>
public sealed record TestEvent(string Text, int Number) : ITradingEvent;

/// <summary>A second event payload type, so type names are seen to round-trip.</summary>
public sealed record OtherTestEvent(decimal Amount) : ITradingEvent;

/// <summary>A lock-released event for the SC-009 scenario (the real catalogue's type lands separately).</summary>
public sealed record TestLockReleased(string Symbol, string WorkerId, string Reason) : ITradingEvent;

/// <summary>A command payload used only by the store contract suites.</summary>
public sealed record TestCommand(string Action) : ITradingCommand;

/// <summary>Registers the test-only payloads in the event catalogue, as an application registers its own events.</summary>
internal static class TestEventRegistration
{
#pragma warning disable CA2255 // The test assembly registers its own event types once, before any test runs.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        EventCatalog.Register("test_event", 1, (JsonTypeInfo<TestEvent>)JsonSerializerOptions.Default.GetTypeInfo(typeof(TestEvent)));
        EventCatalog.Register("other_test_event", 1, (JsonTypeInfo<OtherTestEvent>)JsonSerializerOptions.Default.GetTypeInfo(typeof(OtherTestEvent)));
        EventCatalog.Register("test_lock_released", 1, (JsonTypeInfo<TestLockReleased>)JsonSerializerOptions.Default.GetTypeInfo(typeof(TestLockReleased)));
    }
}

/// <summary>Builders for test events and commands.</summary>
public static class StoreTestData
{
    /// <summary>A whole-millisecond start time (PostgreSQL keeps microseconds, .NET ticks are finer).</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>Bounded waits: generous, never asserted on.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A test event.</summary>
    public static EventData Event(int number, string? dedupKey = null, Guid? causation = null) =>
        new(Guid.NewGuid(), new TestEvent("e" + number, number), Start.AddSeconds(number), new CorrelationId(Guid.NewGuid()), causation, dedupKey);

    /// <summary>Several test events.</summary>
    public static EventData[] Events(int from, int count) =>
        Enumerable.Range(from, count).Select(i => Event(i)).ToArray();

    /// <summary>A test command.</summary>
    public static CommandEnvelope Command(string key, string action = "pause") =>
        new(Guid.NewGuid(), key, new TestCommand(action), "operator", Start, new CorrelationId(Guid.NewGuid()));

    /// <summary>A token that cancels after <see cref="Patience"/>.</summary>
    public static CancellationToken Bounded() => new CancellationTokenSource(Patience).Token;
}
