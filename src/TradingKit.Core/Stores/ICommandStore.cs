using TradingKit.Commands;

namespace TradingKit.Stores;

/// <summary>A command as stored, with its status.</summary>
/// <param name="Envelope">The command.</param>
/// <param name="Status">Its status.</param>
/// <param name="ClaimedBy">The executor that claimed it, once claimed.</param>
/// <param name="Result">The outcome text (error message on failure), once completed.</param>
/// <param name="Sequence">Insertion order, starting at 1.</param>
public sealed record StoredCommand(CommandEnvelope Envelope, CommandStatus Status, string? ClaimedBy, string? Result, long Sequence);

/// <summary>
/// The command queue operators and UIs write to and engines execute from. Each command is executed once:
/// inserts are idempotent on <see cref="CommandEnvelope.IdempotencyKey"/>, and a claim hands a command to exactly one claimer.
/// </summary>
public interface ICommandStore
{
    /// <summary>Inserts a command, or returns the stored one when its idempotency key is already known.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored command and whether this call inserted it.</returns>
    ValueTask<(StoredCommand Command, bool Inserted)> InsertAsync(CommandEnvelope command, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="maxCount"/> new commands, oldest first, moving them to <see cref="CommandStatus.Sent"/>.</summary>
    /// <param name="claimerId">Who claims them.</param>
    /// <param name="maxCount">The most to claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed commands; never one another claimer also got.</returns>
    ValueTask<IReadOnlyList<StoredCommand>> ClaimAsync(string claimerId, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// The commands <paramref name="claimerId"/> claimed and never completed (still <see cref="CommandStatus.Sent"/>),
    /// oldest first: what a claimer that restarted left unfinished.
    /// </summary>
    /// <param name="claimerId">The claimer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commands.</returns>
    ValueTask<IReadOnlyList<StoredCommand>> ListClaimedAsync(string claimerId, CancellationToken cancellationToken = default);

    /// <summary>Completes a claimed command as <see cref="CommandStatus.Ack"/> or <see cref="CommandStatus.Failed"/>.</summary>
    /// <param name="commandId">The command.</param>
    /// <param name="succeeded">True for ACK, false for FAILED.</param>
    /// <param name="result">The outcome text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="Errors.TradingKitException">The command is not in <see cref="CommandStatus.Sent"/> (<c>INVALID_STATE_TRANSITION</c>).</exception>
    ValueTask CompleteAsync(Guid commandId, bool succeeded, string? result, CancellationToken cancellationToken = default);

    /// <summary>Finds a command by id.</summary>
    /// <param name="commandId">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The command, or null.</returns>
    ValueTask<StoredCommand?> GetAsync(Guid commandId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes as soon as an unclaimed command exists: at once when one is already waiting, otherwise when one is inserted
    /// (or, for stores that poll, when the next poll finds one). Executors wait here, then claim.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when there may be something to claim.</returns>
    ValueTask WaitForNewCommandsAsync(CancellationToken cancellationToken = default);
}
