using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TradingKit.Domain;
using TradingKit.Orders;
using TradingKit.Stores;

namespace TradingKit.Execution.Approvals;

/// <summary>
/// The JSON an <see cref="ApprovalGate"/> keeps as a proposal's payload in the <see cref="IApprovalStore"/>: the order with
/// every field, the reason, the payload hash and where the proposal came from. Field names are snake_case; numbers carry
/// the full decimal value; enum values are their names.
/// </summary>
internal static class ProposalPayload
{
    /// <summary>The payload's <c>kind</c>: rows of any other kind are not the gate's and are passed over.</summary>
    public const string Kind = "order_proposal";

    private const int Version = 1;

    public static string Write(ProposalId id, OrderRequest order, string reason, ProposalContext? context)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", Kind);
            json.WriteNumber("version", Version);
            json.WriteString("proposal_id", id.Value);
            json.WriteString("reason", reason);
            json.WriteString("payload_hash", OrderProposal.ComputePayloadHash(order));
            if (context is null)
            {
                json.WriteNull("strategy_id");
                json.WriteNull("decision_price");
            }
            else
            {
                json.WriteString("strategy_id", context.StrategyId.Value);
                WriteNullable(json, "decision_price", context.DecisionPrice);
            }

            json.WriteStartObject("order");
            json.WriteString("client_order_id", order.ClientOrderId.Value);
            json.WriteString("symbol", order.Symbol.Value);
            json.WriteString("side", order.Side.ToString());
            json.WriteString("type", order.Type.ToString());
            json.WriteNumber("quantity", order.Quantity);
            WriteNullable(json, "limit_price", order.LimitPrice);
            WriteNullable(json, "stop_price", order.StopPrice);
            WriteNullable(json, "trailing_offset", order.TrailingOffset);
            json.WriteString("time_in_force", order.TimeInForce.ToString());
            if (order.ExpireAt is { } expireAt)
            {
                json.WriteString("expire_at", expireAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteNull("expire_at");
            }

            json.WriteBoolean("reduce_only", order.ReduceOnly);
            json.WriteString("position_side", order.PositionSide.ToString());
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a stored proposal; null when its payload is not an order proposal of this gate's kind.</summary>
    /// <exception cref="Errors.TradingKitException"><c>APPROVAL_PAYLOAD_INVALID</c> when it claims to be one but does not read as one.</exception>
    public static OrderProposal? Read(Proposal stored)
    {
        using var document = JsonDocument.Parse(stored.PayloadJson);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String
            || kind.GetString() != Kind)
        {
            return null;
        }

        try
        {
            if (root.GetProperty("version").GetInt32() != Version)
            {
                throw Invalid(stored, "its version is not 1");
            }

            var id = new ProposalId(root.GetProperty("proposal_id").GetString()!);
            if (id.StoreId != stored.ProposalId)
            {
                throw Invalid(stored, $"its proposal_id '{id.Value}' is not the one this row is keyed by");
            }

            var order = root.GetProperty("order");
            var request = new OrderRequest
            {
                ClientOrderId = new ClientOrderId(order.GetProperty("client_order_id").GetString()!),
                Symbol = new Symbol(order.GetProperty("symbol").GetString()!),
                Side = Enum.Parse<OrderSide>(order.GetProperty("side").GetString()!),
                Type = Enum.Parse<OrderType>(order.GetProperty("type").GetString()!),
                Quantity = order.GetProperty("quantity").GetDecimal(),
                LimitPrice = NullableDecimal(order, "limit_price"),
                StopPrice = NullableDecimal(order, "stop_price"),
                TrailingOffset = NullableDecimal(order, "trailing_offset"),
                TimeInForce = Enum.Parse<TimeInForce>(order.GetProperty("time_in_force").GetString()!),
                ExpireAt = order.GetProperty("expire_at") is { ValueKind: JsonValueKind.String } expire
                    ? DateTimeOffset.Parse(expire.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                    : null,
                ReduceOnly = order.GetProperty("reduce_only").GetBoolean(),
                PositionSide = Enum.Parse<PositionSide>(order.GetProperty("position_side").GetString()!),
            };
            var strategy = root.GetProperty("strategy_id");
            return new OrderProposal(id, request, root.GetProperty("reason").GetString()!, stored.CreatedAt, stored.Status)
            {
                Context = strategy.ValueKind == JsonValueKind.String
                    ? new ProposalContext(new StrategyId(strategy.GetString()!), stored.CorrelationId, NullableDecimal(root, "decision_price"))
                    : null,
                DecidedBy = stored.DecidedBy,
                DecidedAt = stored.DecidedAt,
                RejectionReason = stored.Reason,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or Errors.TradingKitException
                                      && e is not Errors.TradingKitException { Code: ApprovalCodes.PayloadInvalid })
        {
            throw Invalid(stored, e.Message, e);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, decimal? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static decimal? NullableDecimal(JsonElement element, string name)
        => element.GetProperty(name) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal() : null;

    private static Errors.TradingKitException Invalid(Proposal stored, string why, Exception? inner = null)
        => new(ApprovalCodes.PayloadInvalid, $"Stored proposal {stored.ProposalId} does not read as an order proposal: {why}.", inner);
}
