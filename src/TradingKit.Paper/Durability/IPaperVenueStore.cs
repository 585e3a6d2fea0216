namespace TradingKit.Paper.Durability;

/// <summary>
/// Where a paper venue keeps its state, apart from the engine's log: the inputs that changed it, in order. The venue
/// appends each input before acting on it and answers only after the store accepted it, as an exchange acknowledges only
/// what it persisted; reopening replays them (see <see cref="DurablePaperVenue"/>).
/// </summary>
/// <remarks>Calls come one at a time from <see cref="DurablePaperVenue"/> (it holds a lock), on the caller's thread: the
/// venue's API is synchronous where the engine drives it (market data), so the store is too.</remarks>
public interface IPaperVenueStore : IDisposable
{
    /// <summary>
    /// Opens the store for a venue with <paramref name="identity"/>: an empty store records the identity; a store with
    /// state returns its inputs in order, after checking that it was written under the same identity.
    /// </summary>
    /// <param name="identity">The venue's identity.</param>
    /// <returns>The recorded inputs, oldest first, with sequences 1..n.</returns>
    /// <exception cref="PaperVenueStoreException"><c>PAPER_STORE_MISMATCH</c>, <c>PAPER_STORE_CORRUPT</c> (naming the record), <c>PAPER_STORE_IN_USE</c>.</exception>
    IReadOnlyList<PaperVenueInput> Open(PaperVenueIdentity identity);

    /// <summary>Keeps <paramref name="input"/> durably (as the store's options say) before returning.</summary>
    /// <param name="input">The next input; its sequence follows the last one.</param>
    /// <exception cref="PaperVenueStoreException"><c>PAPER_STORE_WRITE_FAILED</c>.</exception>
    void Append(PaperVenueInput input);
}
