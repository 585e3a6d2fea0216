namespace TradingKit.Paper.Durability;

/// <summary>Stable codes of <see cref="PaperVenueStoreException"/>.</summary>
public static class PaperVenueStoreErrorCodes
{
    /// <summary>A complete record of the store cannot be read (not a torn last record, which is dropped): the message names the line.</summary>
    public const string Corrupt = "PAPER_STORE_CORRUPT";

    /// <summary>The store was written by a venue with other options or labels (another data file, symbol, seed, fees...).</summary>
    public const string Mismatch = "PAPER_STORE_MISMATCH";

    /// <summary>The store is open in another venue (another process); one venue owns its state.</summary>
    public const string InUse = "PAPER_STORE_IN_USE";

    /// <summary>Writing to the store failed; the venue refuses further changes because it could not keep them.</summary>
    public const string WriteFailed = "PAPER_STORE_WRITE_FAILED";
}
