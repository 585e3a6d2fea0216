using System.Globalization;
using TradingKit.Brokers;

namespace TradingKit.Binance.Rest;

/// <summary>A failed Binance call as the REST layer saw it; the broker turns it into a <see cref="BrokerException"/> or a refusal.</summary>
internal sealed class BinanceApiException : Exception
{
    public BinanceApiException(BinanceErrorClass errorClass, int httpStatus, int? code, string message, TimeSpan? retryAfter = null,
        string? gateCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorClass = errorClass;
        HttpStatus = httpStatus;
        Code = code;
        RetryAfter = retryAfter;
        GateCode = gateCode;
    }

    public BinanceErrorClass ErrorClass { get; }

    /// <summary>The HTTP status, or 0 when no answer arrived (timeout, connection failure) or the request never left.</summary>
    public int HttpStatus { get; }

    /// <summary>The venue's error code (for example -2019), when the body had one.</summary>
    public int? Code { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>Set when the adapter itself refused to send (ban, weight or order limit): one of <see cref="BinanceErrorCodes"/>.</summary>
    public string? GateCode { get; }

    public bool IsRateLimit => HttpStatus is 429 or 418 || GateCode is not null || Code is -1003 or -1015;

    public string VenueCode => Code?.ToString(CultureInfo.InvariantCulture) ?? (GateCode ?? "HTTP_" + HttpStatus.ToString(CultureInfo.InvariantCulture));

    /// <summary>True when the adapter may retry the same request itself.</summary>
    public bool IsRetryable(bool mutating)
    {
        if (GateCode is not null || HttpStatus == 418 || Code is BinanceErrorClassification.TimestampOutsideRecvWindow or BinanceErrorClassification.ListenKeyNotFound)
        {
            return false;
        }

        return ErrorClass == BinanceErrorClass.Transient || (!mutating && ErrorClass == BinanceErrorClass.UnknownOutcome);
    }

    public BrokerException ToBrokerException(bool mutating)
    {
        var kind = ErrorClass switch
        {
            BinanceErrorClass.Permanent => BrokerErrorKind.Permanent,
            BinanceErrorClass.UnknownOutcome when mutating => BrokerErrorKind.UnknownOutcome,
            _ when IsRateLimit => BrokerErrorKind.RateLimited,
            _ => BrokerErrorKind.Transient,
        };
        return new BrokerException(kind, $"Binance: {Message}", VenueCode, RetryAfter, this);
    }
}
