using System.Collections.Frozen;

namespace TradingKit.Binance.Rest;

/// <summary>How the adapter and the OMS treat a failed Binance call.</summary>
public enum BinanceErrorClass
{
    /// <summary>The venue did not process the request: retry with backoff, with the same client order id.</summary>
    Transient = 1,

    /// <summary>Refused for good: never retried.</summary>
    Permanent = 2,

    /// <summary>The request may or may not have been executed: query by client order id before any resend.</summary>
    UnknownOutcome = 3,
}

/// <summary>
/// Every error code documented for USDⓈ-M futures, classified as the reference says. One table, in code, so
/// a reviewer reads the policy in one place and a test walks every row.
/// </summary>
public static class BinanceErrorClassification
{
    /// <summary>Order id duplicated: on a resend it means the original order exists.</summary>
    public const int DuplicatedOrder = -4116;

    /// <summary>Timestamp outside recvWindow: resync the clock and re-sign.</summary>
    public const int TimestampOutsideRecvWindow = -1021;

    /// <summary>The listen key does not exist: create a new one.</summary>
    public const int ListenKeyNotFound = -1125;

    /// <summary>Cancel rejected: the order may already be filled or cancelled; query it.</summary>
    public const int CancelRejected = -2011;

    /// <summary>No such order: never created, or archived.</summary>
    public const int NoSuchOrder = -2013;

    /// <summary>The order type must go through the algo-order endpoints.</summary>
    public const int UseAlgoApi = -4120;

    /// <summary>The documented codes and their class.</summary>
    public static FrozenDictionary<int, BinanceErrorClass> Table { get; } = BuildTable();

    /// <summary>Classifies a venue error code. Undocumented codes are permanent: the venue answered and refused.</summary>
    /// <param name="code">The venue's code, for example -2019.</param>
    /// <returns>The class.</returns>
    public static BinanceErrorClass Classify(int code)
        => Table.TryGetValue(code, out var c) ? c : BinanceErrorClass.Permanent;

    /// <summary>Classifies a failed HTTP answer, with or without a venue error body.</summary>
    /// <param name="httpStatus">The HTTP status code.</param>
    /// <param name="code">The venue's code from the body, when there was one.</param>
    /// <param name="message">The venue's message from the body, when there was one.</param>
    /// <returns>The class.</returns>
    public static BinanceErrorClass Classify(int httpStatus, int? code, string? message)
    {
        // Binance: a 503 "Unknown error" reached the venue and may have executed, whatever code the body carries.
        if (httpStatus == 503 && message is not null && message.Contains("Unknown error", StringComparison.OrdinalIgnoreCase))
        {
            return BinanceErrorClass.UnknownOutcome;
        }

        if (code is { } c && c != 0 && Table.TryGetValue(c, out var known))
        {
            return known;
        }

        switch (httpStatus)
        {
            case 429:
                return BinanceErrorClass.Transient;
            case 418:
                return BinanceErrorClass.Transient;
            case 408:
                return BinanceErrorClass.UnknownOutcome;
            case 503 when message is not null && message.StartsWith("Service Unavailable", StringComparison.OrdinalIgnoreCase):
                return BinanceErrorClass.Transient;
            case 503 when message is not null && message.StartsWith("Internal error", StringComparison.OrdinalIgnoreCase):
                return BinanceErrorClass.Transient;
            case >= 500:
                // Binance: a 5xx means the request reached it and the execution status is unknown.
                return BinanceErrorClass.UnknownOutcome;
            default:
                return code is { } other && other != 0 ? Classify(other) : BinanceErrorClass.Permanent;
        }
    }

    private static FrozenDictionary<int, BinanceErrorClass> BuildTable()
    {
        var t = new Dictionary<int, BinanceErrorClass>
        {
            // Unknown outcome: never "failed".
            [-1006] = BinanceErrorClass.UnknownOutcome, // unexpected response from the message bus
            [-1007] = BinanceErrorClass.UnknownOutcome, // timeout waiting for the backend

            // Transient: not processed; retry with backoff.
            [-1000] = BinanceErrorClass.Transient, // unknown error while processing
            [-1001] = BinanceErrorClass.Transient, // internal disconnect
            [-1003] = BinanceErrorClass.Transient, // too many requests
            [-1008] = BinanceErrorClass.Transient, // server busy / throttled
            [-1015] = BinanceErrorClass.Transient, // too many new orders
            [TimestampOutsideRecvWindow] = BinanceErrorClass.Transient, // resync the clock, re-sign
            [ListenKeyNotFound] = BinanceErrorClass.Transient, // recreate the listen key

            // Permanent: key, signature, permissions.
            [-1022] = BinanceErrorClass.Permanent,
            [-2014] = BinanceErrorClass.Permanent,
            [-2015] = BinanceErrorClass.Permanent,

            // Permanent: order refused.
            [-2010] = BinanceErrorClass.Permanent,
            [-2018] = BinanceErrorClass.Permanent,
            [-2019] = BinanceErrorClass.Permanent,
            [-2021] = BinanceErrorClass.Permanent,
            [-2022] = BinanceErrorClass.Permanent,
            [-2025] = BinanceErrorClass.Permanent,
            [-2027] = BinanceErrorClass.Permanent,
            [-4003] = BinanceErrorClass.Permanent,
            [-4004] = BinanceErrorClass.Permanent,
            [-4005] = BinanceErrorClass.Permanent,
            [-4013] = BinanceErrorClass.Permanent,
            [-4014] = BinanceErrorClass.Permanent,
            [-4015] = BinanceErrorClass.Permanent,
            [-4023] = BinanceErrorClass.Permanent,
            [-4061] = BinanceErrorClass.Permanent,
            [UseAlgoApi] = BinanceErrorClass.Permanent,
            [-4131] = BinanceErrorClass.Permanent,
            [-4164] = BinanceErrorClass.Permanent,
            [-5021] = BinanceErrorClass.Permanent,
            [-5022] = BinanceErrorClass.Permanent,

            // Permanent for the call itself; the adapter resolves them by querying (cancel/query paths, resends).
            [CancelRejected] = BinanceErrorClass.Permanent,
            [NoSuchOrder] = BinanceErrorClass.Permanent,
            [DuplicatedOrder] = BinanceErrorClass.Permanent,
        };

        // -1100..-1136: malformed parameters (-1111 precision, -1121 symbol, ...). -1125 stays transient above.
        for (var code = -1136; code <= -1100; code++)
        {
            t.TryAdd(code, BinanceErrorClass.Permanent);
        }

        return t.ToFrozenDictionary();
    }
}
