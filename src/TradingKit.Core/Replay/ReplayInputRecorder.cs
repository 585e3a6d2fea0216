using System.Text;
using TradingKit.Brokers;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Journal;
using TradingKit.MarketData;
using TradingKit.Oms;
using TradingKit.Strategies;

namespace TradingKit.Replay;

/// <summary>
/// Records a session's replay input (PIPE-260 §8): every input the engine loop processes, every venue event it applies,
/// every venue call the engine and OMS make with its outcome, and, as the expected output, every decision, intent and the
/// summary. Give it to the <see cref="TradingEngine"/> constructor (or call <c>RecordReplayInputs()</c> on the DI builder);
/// replay the result with <see cref="SessionReplayer"/>. Written as JSON lines (<see cref="ReplayArtifact.FileName"/>).
/// </summary>
/// <remarks>
/// One recorder serves one engine; it is called on the engine loop only. Records are buffered and flushed when the
/// engine stops and when the recorder is disposed (the engine disposes it with itself).
/// </remarks>
public sealed class ReplayInputRecorder : EngineReplayHook
{
    private static readonly byte[] NewLine = [(byte)'\n'];

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly MemoryStream? _memory;
    private readonly ReplayRecordWriter _writer = new();
    private TimeProvider _time = TimeProvider.System;
    private VenueEvent? _inputVenueEvent;
    private bool _attached;
    private bool _disposed;
    private long _sequence;

    /// <summary>Creates a recorder that writes to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the JSON lines go.</param>
    /// <param name="leaveOpen">True to leave the stream open when the recorder is disposed.</param>
    public ReplayInputRecorder(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _memory = stream as MemoryStream;
    }

    /// <summary>Records written so far.</summary>
    public long RecordCount => _sequence;

    /// <summary>Creates a recorder that writes (replacing) a file, creating its folder.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The recorder.</returns>
    public static ReplayInputRecorder CreateFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new ReplayInputRecorder(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024));
    }

    /// <summary>Creates a recorder that writes <see cref="ReplayArtifact.FileName"/> in a session's journal folder.</summary>
    /// <param name="sessionDirectory">The folder (for a file journal, <see cref="FileSessionJournal.Directory"/>).</param>
    /// <returns>The recorder.</returns>
    public static ReplayInputRecorder ForSessionDirectory(string sessionDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionDirectory);
        return CreateFile(Path.Combine(sessionDirectory, ReplayArtifact.FileName));
    }

    /// <summary>Creates a recorder that keeps the artifact in memory (tests, short sessions); read it with <see cref="ToArtifact"/>.</summary>
    /// <returns>The recorder.</returns>
    public static ReplayInputRecorder InMemory() => new(new MemoryStream());

    /// <summary>The records written so far, as text. Only for a recorder made by <see cref="InMemory"/>.</summary>
    /// <returns>The JSON lines.</returns>
    /// <exception cref="InvalidOperationException">The recorder writes to a file or another stream.</exception>
    public string ToText()
    {
        var memory = _memory ?? throw new InvalidOperationException("Only an in-memory recorder can hand back its artifact; load a file with ReplayArtifact.Load.");
        if (!_disposed)
        {
            _stream.Flush();
        }

        return Encoding.UTF8.GetString(memory.ToArray());
    }

    /// <summary>The records written so far, parsed. Only for a recorder made by <see cref="InMemory"/>.</summary>
    /// <returns>The artifact.</returns>
    /// <exception cref="InvalidOperationException">The recorder writes to a file or another stream.</exception>
    public ReplayArtifact ToArtifact() => ReplayArtifact.Parse(ToText());

    /// <summary>Writes buffered records to the stream.</summary>
    public void Flush()
    {
        if (!_disposed)
        {
            _stream.Flush();
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.FlushAsync().ConfigureAwait(false);
        _writer.Dispose();
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal override IBrokerAdapter Attach(IBrokerAdapter broker, TimeProvider timeProvider)
    {
        if (_attached)
        {
            throw new InvalidOperationException("A replay input recorder records one engine; create one per engine.");
        }

        _attached = true;
        _time = timeProvider;
        return broker is IMarketDataListener ? new RecordingSimulatedBroker(broker, this) : new RecordingBroker(broker, this);
    }

    internal override void OnStart(DateTimeOffset now, SessionId sessionId, string venueName, bool simulatedVenue, bool drivesClock)
    {
        var w = Begin(ReplayRecordKinds.Start, now);
        w.WriteNumber("v", ReplayArtifact.FormatVersion);
        w.WriteString("session_id", sessionId.Value);
        w.WriteString("venue", venueName);
        w.WriteBoolean("simulated", simulatedVenue);
        w.WriteBoolean("drive_clock", drivesClock);
        End();
    }

    internal override void OnInput(in EngineInput input, DateTimeOffset now)
    {
        var w = Begin(ReplayRecordKinds.Input, now);
        switch (input.Kind)
        {
            case EngineInputKind.MarketData:
                w.WriteString("input", "market_data");
                ReplayJson.WriteMarketData(w, "md", input.MarketData!);
                break;
            case EngineInputKind.Venue:
                // The engine applies it next; that application is this input, not a drained event of its own.
                _inputVenueEvent = input.VenueEvent;
                w.WriteString("input", "venue");
                ReplayJson.WriteVenueEvent(w, "event", input.VenueEvent!);
                break;
            case EngineInputKind.Command:
                w.WriteString("input", "command");
                w.WritePropertyName("command");
                w.WriteRawValue(CommandSerializer.SerializeEnvelope(input.Command!), skipInputValidation: true);
                break;
            default:
                w.WriteString("input", "timer");
                break;
        }

        End();
    }

    internal override void OnVenueEvent(VenueEvent venueEvent, DateTimeOffset now)
    {
        if (ReferenceEquals(venueEvent, _inputVenueEvent))
        {
            _inputVenueEvent = null;
            return;
        }

        var w = Begin(ReplayRecordKinds.Venue, now);
        ReplayJson.WriteVenueEvent(w, "event", venueEvent);
        End();
    }

    internal override void OnDecision(DateTimeOffset now, StrategyId strategy, in Decision decision, decimal? price)
    {
        var w = Begin(ReplayRecordKinds.Decision, now);
        ReplayRecordWriter.WriteDecision(w, strategy, decision, price);
        End();
    }

    internal override void OnOrderChanged(OrderChange change)
    {
        var w = Begin(ReplayRecordKinds.Intent, change.Timestamp);
        ReplayRecordWriter.WriteIntent(w, change);
        End();
    }

    internal override void OnStopping(DateTimeOffset now)
    {
        Begin(ReplayRecordKinds.Stop, now);
        End();
    }

    internal override void OnStopped(DateTimeOffset now, SessionSummaryRecord summary)
    {
        var w = Begin(ReplayRecordKinds.Summary, now);
        ReplayRecordWriter.WriteSummary(w, summary);
        End();
        Flush();
    }

    /// <summary>Records a venue call that returned.</summary>
    internal void CallReturned(DateTimeOffset startedAt, string operation, object? a, object? b, object? result)
    {
        var w = Begin(ReplayRecordKinds.Call, startedAt);
        ReplayRecordWriter.WriteCallArgs(w, operation, a, b);
        ReplayJson.WriteTime(w, "t_end", _time.GetUtcNow());
        ReplayRecordWriter.WriteCallResult(w, operation, result);
        End();
    }

    /// <summary>Records a venue call that threw.</summary>
    internal void CallFailed(DateTimeOffset startedAt, string operation, object? a, object? b, Exception exception)
    {
        var w = Begin(ReplayRecordKinds.Call, startedAt);
        ReplayRecordWriter.WriteCallArgs(w, operation, a, b);
        ReplayJson.WriteTime(w, "t_end", _time.GetUtcNow());
        ReplayRecordWriter.WriteFailure(w, exception);
        End();
    }

    internal DateTimeOffset Now => _time.GetUtcNow();

    private System.Text.Json.Utf8JsonWriter Begin(string kind, DateTimeOffset time)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer.Begin(_sequence, kind, time);
    }

    private void End()
    {
        var bytes = _writer.End();
        _stream.Write(bytes);
        _stream.Write(NewLine);
        _sequence++;
    }
}
