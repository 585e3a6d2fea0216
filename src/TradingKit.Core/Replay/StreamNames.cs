using TradingKit.Domain;

namespace TradingKit.Replay;

/// <summary>
/// The event streams the engine writes and recovery reads: one stream per order, one per session's account, one per
/// session's engine life cycle and one per session's reconciliations.
/// </summary>
public static class StreamNames
{
    /// <summary>Prefix of an order's stream; the client order id follows.</summary>
    public const string OrderPrefix = "order-";

    /// <summary>Prefix of a session's account stream (positions, fees, balances).</summary>
    public const string AccountPrefix = "account-";

    /// <summary>Prefix of a session's engine stream (life cycle, risk, connection).</summary>
    public const string EnginePrefix = "engine-";

    /// <summary>Prefix of a session's reconciliation stream (drift, quarantines, runs).</summary>
    public const string ReconciliationPrefix = "reconcile-";

    /// <summary>The stream of one order.</summary>
    /// <param name="clientOrderId">The order.</param>
    /// <returns>The stream id.</returns>
    public static string Order(ClientOrderId clientOrderId) => OrderPrefix + clientOrderId.Value;

    /// <summary>The account stream of a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The stream id.</returns>
    public static string Account(SessionId sessionId) => AccountPrefix + sessionId.Value;

    /// <summary>The engine stream of a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The stream id.</returns>
    public static string Engine(SessionId sessionId) => EnginePrefix + sessionId.Value;

    /// <summary>The reconciliation stream of a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The stream id.</returns>
    public static string Reconciliation(SessionId sessionId) => ReconciliationPrefix + sessionId.Value;
}
