using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using TradingKit.Errors;

namespace TradingKit.Domain;

/// <summary>Shared validation for identifier types.</summary>
internal static class IdRules
{
    /// <summary>Longest client order id accepted by common venues (Binance: 36).</summary>
    public const int MaxClientOrderIdLength = 36;

    public static string NotBlank(string? value, string kind)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new TradingKitException(ErrorCodes.InvalidIdentifier, $"A {kind} must not be empty.");
        }

        return value;
    }

    private static readonly SearchValues<char> VenueSafe = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/_-");

    /// <summary>True when every character is in <c>[.A-Z:/a-z0-9_-]</c>.</summary>
    public static bool IsVenueSafe(ReadOnlySpan<char> value) => !value.ContainsAnyExcept(VenueSafe);
}

/// <summary>
/// The client order id: TradingKit's idempotency key for an order. At most 36 characters from
/// <c>[.A-Z:/a-z0-9_-]</c>, so it is accepted unchanged by common venues.
/// </summary>
public readonly record struct ClientOrderId
{
    /// <summary>Creates a client order id.</summary>
    /// <param name="value">The id text.</param>
    /// <exception cref="TradingKitException">Empty, longer than 36 characters or with other characters (<c>INVALID_IDENTIFIER</c>).</exception>
    public ClientOrderId(string value)
    {
        IdRules.NotBlank(value, "client order id");
        if (value.Length > IdRules.MaxClientOrderIdLength || !IdRules.IsVenueSafe(value))
        {
            throw new TradingKitException(ErrorCodes.InvalidIdentifier,
                $"Client order id '{value}' must be 1-36 characters from [.A-Z:/a-z0-9_-].");
        }

        Value = value;
    }

    /// <summary>
    /// Wraps text already known to be a valid id without checking it again: only for
    /// <see cref="Orders.ClientOrderIdGenerator"/>, whose output is venue-safe by construction (a fixed prefix and base32).
    /// </summary>
    /// <param name="value">The id text.</param>
    /// <param name="generated">Marks this constructor apart from the checking one.</param>
    internal ClientOrderId(string value, bool generated)
    {
        Debug.Assert(generated && value.Length <= IdRules.MaxClientOrderIdLength && IdRules.IsVenueSafe(value));
        Value = value;
    }

    /// <summary>The id text.</summary>
    public string Value { get; }

    /// <summary>True when this is the default (unset) value.</summary>
    public bool IsEmpty => Value is null;

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}

/// <summary>The id the venue assigned to an order.</summary>
/// <param name="Value">The venue's id text.</param>
public readonly record struct VenueOrderId(string Value)
{
    /// <summary>The venue's id text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "venue order id");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The venue's id of one execution (fill). The dedup key for fills.</summary>
/// <param name="Value">The venue's trade id text.</param>
public readonly record struct TradeId(string Value)
{
    /// <summary>The venue's trade id text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "trade id");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Identifies a strategy.</summary>
/// <param name="Value">The strategy's name.</param>
public readonly record struct StrategyId(string Value)
{
    /// <summary>The strategy's name.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "strategy id");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Identifies a trading account at a venue. Mask it before it reaches a log (<see cref="Masked"/>).</summary>
/// <param name="Value">The account reference.</param>
public readonly record struct AccountId(string Value)
{
    /// <summary>The account reference.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "account id");

    /// <summary>The id with all but its last four characters replaced by <c>*</c>, for logs and journals.</summary>
    public string Masked => Value.Length <= 4 ? new string('*', Value.Length) : new string('*', Value.Length - 4) + Value[^4..];

    /// <inheritdoc />
    public override string ToString() => Masked;
}

/// <summary>Identifies one trading session (one run of the engine).</summary>
/// <param name="Value">The session id text.</param>
public readonly record struct SessionId(string Value)
{
    /// <summary>The session id text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "session id");

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Ties together every event caused by one decision or command.</summary>
/// <param name="Value">The correlation id.</param>
public readonly record struct CorrelationId(Guid Value)
{
    /// <summary>A new random correlation id.</summary>
    public static CorrelationId New() => new(Guid.NewGuid());

    /// <inheritdoc />
    public override string ToString() => Value.ToString("N");
}

/// <summary>An instrument's symbol at a venue, for example <c>BTCUSDT</c> or <c>SPX</c>.</summary>
/// <param name="Value">The symbol text.</param>
public readonly record struct Symbol(string Value)
{
    /// <summary>The symbol text.</summary>
    public string Value { get; } = IdRules.NotBlank(Value, "symbol");

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Creates a symbol from text.</summary>
    /// <param name="value">The symbol text.</param>
    [SuppressMessage("Usage", "CA2225:Operator overloads have named alternates", Justification = "The constructor is the named alternate.")]
    public static implicit operator Symbol(string value) => new(value);
}
