using TradingKit.Errors;

namespace TradingKit.Paper.Durability;

/// <summary>A paper venue's durable state cannot be opened, read or written; <see cref="TradingKitException.Code"/> is one of <see cref="PaperVenueStoreErrorCodes"/>.</summary>
public sealed class PaperVenueStoreException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">One of <see cref="PaperVenueStoreErrorCodes"/>.</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PaperVenueStoreException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
