using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace TradingKit.Paper.Durability;

/// <summary>How a <see cref="FilePaperVenueStore"/> writes.</summary>
public sealed class FilePaperVenueStoreOptions
{
    /// <summary>
    /// Forces each record to the disk (fsync) before the venue answers, so the state survives a power cut or an OS crash.
    /// When false each record is still handed to the operating system before the venue answers, which survives the process
    /// being killed (<c>kill -9</c>) but not the machine going down.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool FlushToDisk { get; set; } = true;
}

/// <summary>
/// Keeps a paper venue's inputs in one append-only file of JSON lines: a header (the venue's identity) and then one line per
/// input. The file is locked while open, so only one venue (one process) owns it.
/// </summary>
/// <remarks>
/// A crash can leave the last line half-written: opening drops such a torn line (it was never acknowledged) and appends
/// after the last complete one. A complete line that cannot be read, or a gap in the sequence, is corruption and is
/// reported with its line number rather than skipped, because replaying around it would give a different venue.
/// </remarks>
public sealed class FilePaperVenueStore : IPaperVenueStore
{
    private readonly FilePaperVenueStoreOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private FileStream? _file;
    private long _lastSequence;

    /// <summary>Creates a store over <paramref name="path"/> (created on open, with its folder, when missing).</summary>
    /// <param name="path">The state file.</param>
    /// <param name="options">How to write; defaults when null.</param>
    public FilePaperVenueStore(string path, FilePaperVenueStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        _options = options ?? new FilePaperVenueStoreOptions();
    }

    /// <summary>The state file's full path.</summary>
    public string FilePath { get; }

    /// <summary>True when the file exists and holds at least a complete header line (a venue has state there to resume).</summary>
    /// <param name="path">The state file.</param>
    /// <returns>Whether there is state to open.</returns>
    public static bool HasState(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return false;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int b;
        while ((b = file.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public IReadOnlyList<PaperVenueInput> Open(PaperVenueIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (_file is not null)
        {
            throw new InvalidOperationException("The store is already open.");
        }

        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        FileStream file;
        try
        {
            file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex)
        {
            throw new PaperVenueStoreException(PaperVenueStoreErrorCodes.InUse,
                $"Paper venue state '{FilePath}' is open elsewhere (another session running on it?): {ex.Message}", ex);
        }

        try
        {
            var inputs = Load(file, identity);
            _file = file;
            return inputs;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Append(PaperVenueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var file = _file ?? throw new InvalidOperationException("Open the store before appending.");
        if (input.Sequence != _lastSequence + 1)
        {
            throw new ArgumentException($"Input {input.Sequence} does not follow {_lastSequence}.", nameof(input));
        }

        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            PaperVenueInputJson.Write(writer, input);
        }

        _buffer.Write("\n"u8);
        try
        {
            // One write call per record: a kill lands before or after it, and a torn record can only be the last line.
            file.Write(_buffer.WrittenSpan);
            file.Flush(_options.FlushToDisk);
        }
        catch (IOException ex)
        {
            throw new PaperVenueStoreException(PaperVenueStoreErrorCodes.WriteFailed, $"Could not write paper venue state '{FilePath}': {ex.Message}", ex);
        }

        _lastSequence = input.Sequence;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private List<PaperVenueInput> Load(FileStream file, PaperVenueIdentity identity)
    {
        var content = new byte[file.Length];
        file.ReadExactly(content);
        var inputs = new List<PaperVenueInput>();
        var complete = 0L;
        var lineNumber = 0;
        PaperVenueIdentity? stored = null;
        var start = 0;
        while (start < content.Length)
        {
            var end = Array.IndexOf(content, (byte)'\n', start);
            if (end < 0)
            {
                // A torn last record: the write that would have completed it never returned, so nobody was told it was kept.
                break;
            }

            lineNumber++;
            var line = content.AsSpan(start, end - start);
            try
            {
                using var document = JsonDocument.Parse(line.ToArray());
                if (lineNumber == 1)
                {
                    stored = PaperVenueInputJson.ReadHeader(document.RootElement);
                }
                else
                {
                    var input = PaperVenueInputJson.Read(document.RootElement);
                    if (input.Sequence != inputs.Count + 1)
                    {
                        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"sequence {input.Sequence} where {inputs.Count + 1} was expected (a record is missing)"));
                    }

                    inputs.Add(input);
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException or OverflowException)
            {
                throw new PaperVenueStoreException(PaperVenueStoreErrorCodes.Corrupt,
                    string.Create(CultureInfo.InvariantCulture, $"Paper venue state '{FilePath}' line {lineNumber} cannot be read ({ex.Message}); restore the file or start a new session."), ex);
            }

            start = end + 1;
            complete = start;
        }

        if (stored is null)
        {
            file.SetLength(0);
            file.Position = 0;
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer))
            {
                PaperVenueInputJson.WriteHeader(writer, identity);
            }

            _buffer.Write("\n"u8);
            file.Write(_buffer.WrittenSpan);
            file.Flush(_options.FlushToDisk);
            _lastSequence = 0;
            return inputs;
        }

        if (identity.Differences(stored) is { Count: > 0 } differences)
        {
            throw new PaperVenueStoreException(PaperVenueStoreErrorCodes.Mismatch,
                $"Paper venue state '{FilePath}' belongs to another venue setup: {string.Join("; ", differences)}.");
        }

        if (complete < content.Length)
        {
            file.SetLength(complete);
            file.Flush(_options.FlushToDisk);
        }

        file.Position = complete;
        _lastSequence = inputs.Count;
        return inputs;
    }
}
