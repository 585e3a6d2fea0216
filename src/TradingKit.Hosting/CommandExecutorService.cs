using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradingKit.Engine;
using TradingKit.Stores;

namespace TradingKit.Hosting;

/// <summary>
/// Executes the commands operators and UIs write to the command store (<see cref="ICommandStore"/>: in memory, or the
/// PostgreSQL <c>command_store</c>) on the hosted engine, for as long as its session runs: it waits for new commands,
/// claims them (each goes to exactly one claimer), hands each to the engine loop, where it runs between two inputs like
/// any other, and completes it as ACK or FAILED with the engine's result. A command claimed when the session has ended
/// is completed FAILED (<c>the session ended before the command ran</c>), never left waiting.
/// </summary>
/// <remarks>
/// A command a process claimed but could not complete (it died in between) is completed FAILED with
/// <c>COMMAND_INTERRUPTED</c> by the next executor under the same claimer id (the same session) when it starts:
/// whether it ran is not known, so check the event log before sending it again under a new idempotency key. Two live
/// executors must never share a claimer id (one engine per account).
/// </remarks>
public sealed partial class CommandExecutorService : BackgroundService
{
    private readonly ICommandStore _store;
    private readonly HostedEngineService _session;
    private readonly CommandExecutorOptions _options;
    private readonly ILogger<CommandExecutorService> _logger;
    private readonly string _claimer;

    /// <summary>Creates the executor.</summary>
    /// <param name="store">The command store.</param>
    /// <param name="session">The hosted session whose engine runs the commands.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    public CommandExecutorService(ICommandStore store, HostedEngineService session, IOptions<CommandExecutorOptions> options, ILogger<CommandExecutorService> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _session = session;
        _options = options.Value;
        _logger = logger;
        _claimer = _options.ClaimerId ?? "engine-" + session.Engine.SessionId.Value;
    }

    /// <summary>The name this executor claims commands under.</summary>
    public string ClaimerId => _claimer;

    /// <summary>How many commands this executor has completed (ACK or FAILED).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>
    /// Raised after each command is completed in the store, on the executor's thread: for monitoring, or to tell a
    /// waiting client. A handler that throws is logged and does not stop the executor.
    /// </summary>
    public event EventHandler<CommandCompletedEventArgs>? CommandCompleted;

    private long _completed;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await CompleteInterruptedAsync(stoppingToken).ConfigureAwait(false);
            while (!_session.SessionEnded.IsCompleted)
            {
                if (!await WaitForCommandsAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                var claimed = await _store.ClaimAsync(_claimer, _options.BatchSize, stoppingToken).ConfigureAwait(false);
                foreach (var command in claimed)
                {
                    // Once claimed, a command is completed whatever happens next: the host's stop does not cancel that.
                    await RunAsync(command, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: nothing is claimed any more.
        }
    }

    /// <summary>
    /// Completes FAILED what an earlier process under this claimer id claimed and never completed (it stopped in
    /// between): left SENT, nobody would ever complete it. Whether it ran is not known here; the result says so.
    /// </summary>
    private async Task CompleteInterruptedAsync(CancellationToken cancellationToken)
    {
        foreach (var stale in await _store.ListClaimedAsync(_claimer, cancellationToken).ConfigureAwait(false))
        {
            var id = stale.Envelope.CommandId;
            const string Result = CommandExecutorCodes.Interrupted + ": claimed by an earlier process of this claimer, which stopped before completing it; "
                + "it may or may not have run: check the event log before sending it again";
            await _store.CompleteAsync(id, succeeded: false, Result, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _completed);
            LogInterrupted(id, stale.Envelope.Payload.GetType().Name, stale.Envelope.Actor);
            RaiseCompleted(new CommandCompletedEventArgs(id, succeeded: false, Result));
        }
    }

    private void RaiseCompleted(CommandCompletedEventArgs completed)
    {
        try
        {
            CommandCompleted?.Invoke(this, completed);
        }
#pragma warning disable CA1031 // A monitoring handler's failure must not stop commands from running.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(completed.CommandId, ex);
        }
    }

    /// <summary>Waits until the store may have a command; false when the session ended first.</summary>
    private async Task<bool> WaitForCommandsAsync(CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var wait = _store.WaitForNewCommandsAsync(waiting.Token).AsTask();
        if (await Task.WhenAny(wait, _session.SessionEnded).ConfigureAwait(false) == wait)
        {
            await wait.ConfigureAwait(false);
            return true;
        }

        await waiting.CancelAsync().ConfigureAwait(false);
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The wait was ours to end.
        }

        return false;
    }

    private async Task RunAsync(StoredCommand command, CancellationToken cancellationToken)
    {
        var envelope = command.Envelope;
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = _session.Engine;
        CommandResult result;
        if (_session.SessionEnded.IsCompleted)
        {
            result = Ended();
        }
        else
        {
            var queued = engine.EnqueueAsync(EngineInput.ForCommand(envelope, completion), cancellationToken).AsTask();
            await Task.WhenAny(queued, _session.SessionEnded).ConfigureAwait(false);
            if (queued.IsCompletedSuccessfully)
            {
                await Task.WhenAny(completion.Task, _session.SessionEnded).ConfigureAwait(false);
            }

            // The loop finishes the input it is on before the session ends, so a command it has not completed by then never runs.
            result = completion.Task.IsCompletedSuccessfully ? completion.Task.Result : Ended();
        }

        await _store.CompleteAsync(envelope.CommandId, result.Succeeded, Describe(result), cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _completed);
        LogCompleted(envelope.CommandId, envelope.Payload.GetType().Name, envelope.Actor, result.Succeeded, Describe(result));
        RaiseCompleted(new CommandCompletedEventArgs(envelope.CommandId, result.Succeeded, Describe(result)));
    }

    private static CommandResult Ended() => CommandResult.Fail(CommandExecutorCodes.SessionEnded, "the session ended before the command ran");

    private static string Describe(CommandResult result) => result.Code is { } code ? $"{code}: {result.Message}" : result.Message;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} ({Type}) from {Actor} was claimed by an earlier process that stopped before completing it: completed FAILED; it may or may not have run")]
    private partial void LogInterrupted(Guid commandId, string type, string actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A CommandCompleted handler failed for command {CommandId}")]
    private partial void LogHandlerFailed(Guid commandId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} ({Type}) from {Actor}: {Succeeded}, {Result}")]
    private partial void LogCompleted(Guid commandId, string type, string actor, bool succeeded, string result);
}

/// <summary>A command <see cref="CommandExecutorService"/> completed.</summary>
/// <param name="commandId">The command.</param>
/// <param name="succeeded">True for ACK, false for FAILED.</param>
/// <param name="result">The result stored with it.</param>
public sealed class CommandCompletedEventArgs(Guid commandId, bool succeeded, string result) : EventArgs
{
    /// <summary>The command.</summary>
    public Guid CommandId { get; } = commandId;

    /// <summary>True for ACK, false for FAILED.</summary>
    public bool Succeeded { get; } = succeeded;

    /// <summary>The result stored with it (<c>code: message</c> when it failed).</summary>
    public string Result { get; } = result;
}

/// <summary>The stable error codes of <see cref="CommandExecutorService"/>.</summary>
public static class CommandExecutorCodes
{
    /// <summary>The hosted session ended before a claimed command ran; it did not run.</summary>
    public const string SessionEnded = "COMMAND_SESSION_ENDED";

    /// <summary>An earlier process under the same claimer id claimed the command and stopped before completing it; whether it ran is not known.</summary>
    public const string Interrupted = "COMMAND_INTERRUPTED";
}
