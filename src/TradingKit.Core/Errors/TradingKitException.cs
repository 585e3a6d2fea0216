namespace TradingKit.Errors;

/// <summary>
/// Base class of every error TradingKit raises on purpose. Each carries a stable <see cref="Code"/>
/// (for example <c>ORDER_STATE_CONFLICT</c>) that callers can match on; the message is for people.
/// </summary>
public class TradingKitException : Exception
{
    /// <summary>Creates an error with a stable code and a message a person can act on.</summary>
    /// <param name="code">The stable error code, one of <see cref="ErrorCodes"/> or an adapter's own.</param>
    /// <param name="message">What went wrong and, where possible, what to do about it.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public TradingKitException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>The stable, machine-readable error code.</summary>
    public string Code { get; }
}
