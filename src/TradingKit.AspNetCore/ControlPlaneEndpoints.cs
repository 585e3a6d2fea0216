using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TradingKit.AspNetCore;
using TradingKit.Commands;
using TradingKit.Domain;
using TradingKit.Engine;
using TradingKit.Errors;
using TradingKit.Execution;
using TradingKit.Execution.Approvals;
using TradingKit.Hosting;
using TradingKit.Risk;
using TradingKit.Stores;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps TradingKit's control plane into an ASP.NET Core application.</summary>
public static class ControlPlaneEndpointRouteBuilderExtensions
{
    /// <summary>The largest request body the control plane reads (a command is a few hundred bytes).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>The most proposals <c>GET proposals</c> returns (and its <c>limit</c>'s default).</summary>
    public const int MaxProposals = 500;

    /// <summary>
    /// Maps the control plane under <paramref name="prefix"/>, every endpoint behind authorisation
    /// (<see cref="ControlPlaneOptions"/>): <c>GET status</c>, <c>POST commands</c> (any command of the catalogue, into
    /// the command store, run by the hosted engine's command executor), <c>GET commands/{id}</c>, <c>POST kill-switch</c>,
    /// the read models (<c>GET orders</c>, <c>orders/{id}</c>, <c>fills</c>, <c>positions</c>, <c>daily</c>, from the
    /// projection store), approval mode's proposals (<c>GET proposals</c>, <c>proposals/{id}</c>, from the approval gate's
    /// store; approve or reject one with the <c>approve_proposal</c> and <c>reject_proposal</c> commands), the workers and
    /// their symbol locks (<c>GET workers</c>, <c>locks</c>) and the monitoring page at the root. Writes need <c>Content-Type: application/json</c>, which a cross-site form
    /// cannot send, and an authenticated user with a name (the commands' actor).
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The route prefix, for example <c>/tradingkit</c>.</param>
    /// <param name="configure">Configures who may use it.</param>
    /// <returns>The group, to add conventions to (rate limiting, more authorisation).</returns>
    public static RouteGroupBuilder MapTradingKitControlPlane(this IEndpointRouteBuilder endpoints, string prefix = "/tradingkit",
        Action<ControlPlaneOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!prefix.StartsWith('/') || prefix.EndsWith('/'))
        {
            throw new ArgumentException($"The control plane's prefix must start with '/' and not end with one (got '{prefix}').", nameof(prefix));
        }

        var options = new ControlPlaneOptions();
        configure?.Invoke(options);
        RequirePolicies(endpoints.ServiceProvider, options);
        var group = endpoints.MapGroup(prefix);
        Authorize(group.MapGet("/status", GetStatus), options.ReadPolicy);
        Authorize(group.MapGet("/commands/{commandId:guid}", GetCommandAsync), options.ReadPolicy);
        Authorize(group.MapPost("/commands", (HttpContext http, CancellationToken ct) => PostCommandAsync(http, prefix, ct)), options.OperatePolicy);
        Authorize(group.MapPost("/kill-switch", (HttpContext http, CancellationToken ct) => PostKillSwitchAsync(http, prefix, ct)), options.OperatePolicy);
        Authorize(group.MapGet("/orders", GetOrdersAsync), options.ReadPolicy);
        Authorize(group.MapGet("/orders/{clientOrderId}", GetOrderAsync), options.ReadPolicy);
        Authorize(group.MapGet("/fills", GetFillsAsync), options.ReadPolicy);
        Authorize(group.MapGet("/positions", GetPositionsAsync), options.ReadPolicy);
        Authorize(group.MapGet("/daily", GetDailyAsync), options.ReadPolicy);
        Authorize(group.MapGet("/proposals", GetProposalsAsync), options.ReadPolicy);
        Authorize(group.MapGet("/proposals/{proposalId}", GetProposalAsync), options.ReadPolicy);
        Authorize(group.MapGet("/workers", GetWorkersAsync), options.ReadPolicy);
        Authorize(group.MapGet("/locks", GetLocksAsync), options.ReadPolicy);
        if (options.Dashboard)
        {
            Authorize(group.MapGet("/", () => Results.Content(ControlPlaneDashboard.Page(prefix), "text/html; charset=utf-8")), options.ReadPolicy);
        }

        return group;
    }

    /// <summary>Refuses, when the application starts, a policy name the authorisation services do not know (it would fail every request).</summary>
    private static void RequirePolicies(IServiceProvider services, ControlPlaneOptions options)
    {
        var provider = services.GetService<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException("The control plane needs authorisation: call services.AddAuthorization() and configure an authentication scheme.");
        foreach (var name in new[] { options.ReadPolicy, options.OperatePolicy })
        {
            if (name is not null && provider.GetPolicyAsync(name).GetAwaiter().GetResult() is null)
            {
                throw new InvalidOperationException($"The control plane's authorisation policy '{name}' is not registered (AddAuthorization(o => o.AddPolicy(\"{name}\", ...))).");
            }
        }
    }

    private static void Authorize(RouteHandlerBuilder endpoint, string? policy)
    {
        if (policy is null)
        {
            endpoint.RequireAuthorization();
        }
        else
        {
            endpoint.RequireAuthorization(policy);
        }
    }

    private static IResult GetStatus(HttpContext http)
    {
        var services = http.RequestServices;
        var engine = services.GetRequiredService<TradingEngine>();
        var guard = services.GetRequiredService<IRiskGuard>();
        var trip = (guard as RiskGuard)?.LastTrip;
        var killSwitch = engine.KillSwitch;
        return Results.Json(new ControlPlaneStatus(
            engine.SessionId.Value,
            engine.State.ToString(),
            guard.State.ToString(),
            killSwitch is null ? "none" : killSwitch.IsOn ? "on" : "off",
            engine.ExecutionPolicy.Mode.ToConfigValue(),
            services.GetService<HostedEngineService>()?.Status.ToString(),
            engine.MarketEventsProcessed,
            trip is null ? null : new ControlPlaneTrip(trip.Cause, trip.NewState.ToString(), trip.Message, trip.OccurredAt),
            engine.WorkerId,
            engine.WorkerId is null ? null : engine.WorkerState.ToString()));
    }

    private static async Task<IResult> GetOrdersAsync(HttpContext http, string? symbol, bool? open, CancellationToken cancellationToken)
    {
        if (symbol is { } text && string.IsNullOrWhiteSpace(text))
        {
            return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "symbol must not be blank.");
        }

        var store = http.RequestServices.GetRequiredService<IProjectionStore>();
        var orders = await store.ListOrdersAsync(symbol is null ? (Symbol?)null : new Symbol(symbol), open ?? false, cancellationToken).ConfigureAwait(false);
        return await RowsAsync(store, orders.Select(ControlPlaneOrder.Of).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> GetProposalsAsync(HttpContext http, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (http.RequestServices.GetService<ApprovalGate>() is not { } gate)
        {
            return ApprovalsOff();
        }

        ProposalStatus? only = null;
        if (status is not null)
        {
            if (!Enum.TryParse<ProposalStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || status.Any(char.IsDigit))
            {
                return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, $"Unknown proposal status '{status}': pending, approved, rejected or executed.");
            }

            only = parsed;
        }

        if (limit is < 1 or > MaxProposals)
        {
            return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload,
                string.Create(CultureInfo.InvariantCulture, $"limit is 1 to {MaxProposals}."));
        }

        try
        {
            var proposals = await gate.ListAsync(only, limit ?? MaxProposals, cancellationToken).ConfigureAwait(false);
            return Results.Json(new ControlPlaneList<ControlPlaneProposal>([.. proposals.Select(ControlPlaneProposal.Of)]));
        }
        catch (TradingKitException ex) when (ex.Code == ApprovalCodes.PayloadInvalid)
        {
            // A row altered in the database: say so, with the code, rather than a bare server error.
            return Problem(HttpStatusCode.InternalServerError, ex.Code, ex.Message);
        }
    }

    private static async Task<IResult> GetProposalAsync(string proposalId, HttpContext http, CancellationToken cancellationToken)
    {
        if (http.RequestServices.GetService<ApprovalGate>() is not { } gate)
        {
            return ApprovalsOff();
        }

        if (string.IsNullOrWhiteSpace(proposalId))
        {
            return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "A proposal id must not be blank.");
        }

        try
        {
            return await gate.GetAsync(new ProposalId(proposalId), cancellationToken).ConfigureAwait(false) is { } proposal
                ? Results.Json(ControlPlaneProposal.Of(proposal))
                : Problem(HttpStatusCode.NotFound, ControlPlaneCodes.ProposalNotFound, $"No proposal '{proposalId}'.");
        }
        catch (ApprovalGateException ex)
        {
            return Problem(HttpStatusCode.InternalServerError, ex.Code, ex.Message);
        }
    }

    private static async Task<IResult> GetWorkersAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var workers = await http.RequestServices.GetRequiredService<IWorkerRegistry>().ListAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new ControlPlaneList<ControlPlaneWorker>([.. workers.Select(ControlPlaneWorker.Of)]));
    }

    private static async Task<IResult> GetLocksAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var services = http.RequestServices;
        var locks = await services.GetRequiredService<ISymbolLockService>().ListAsync(cancellationToken).ConfigureAwait(false);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        return Results.Json(new ControlPlaneList<ControlPlaneLock>([.. locks.Select(l => ControlPlaneLock.Of(l, now))]));
    }

    private static IResult ApprovalsOff()
        => Problem(HttpStatusCode.NotFound, ControlPlaneCodes.ApprovalsNotConfigured,
            "Approval mode is not configured in this host (UseApprovalGate), so there are no proposals.");

    private static async Task<IResult> GetOrderAsync(string clientOrderId, HttpContext http, CancellationToken cancellationToken)
    {
        ClientOrderId id;
        try
        {
            id = new ClientOrderId(clientOrderId);
        }
        catch (TradingKitException ex)
        {
            return Problem(HttpStatusCode.BadRequest, ex.Code, ex.Message);
        }

        var order = await http.RequestServices.GetRequiredService<IProjectionStore>().GetOrderAsync(id, cancellationToken).ConfigureAwait(false);
        return order is null
            ? Problem(HttpStatusCode.NotFound, ControlPlaneCodes.OrderNotFound, $"No order {clientOrderId} in the projections.")
            : Results.Json(ControlPlaneOrder.Of(order));
    }

    private static async Task<IResult> GetFillsAsync(HttpContext http, string? order, CancellationToken cancellationToken)
    {
        ClientOrderId? id = null;
        try
        {
            id = order is null ? null : new ClientOrderId(order);
        }
        catch (TradingKitException ex)
        {
            return Problem(HttpStatusCode.BadRequest, ex.Code, ex.Message);
        }

        var store = http.RequestServices.GetRequiredService<IProjectionStore>();
        var fills = await store.ListFillsAsync(id, cancellationToken).ConfigureAwait(false);
        return await RowsAsync(store, fills.Select(ControlPlaneFill.Of).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> GetPositionsAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var store = http.RequestServices.GetRequiredService<IProjectionStore>();
        var account = http.RequestServices.GetRequiredService<TradingEngine>().AccountId;
        var positions = await store.ListPositionsAsync(account, cancellationToken).ConfigureAwait(false);
        return await RowsAsync(store, positions.Select(ControlPlanePosition.Of).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> GetDailyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var store = http.RequestServices.GetRequiredService<IProjectionStore>();
        var account = http.RequestServices.GetRequiredService<TradingEngine>().AccountId;
        var days = await store.ListDailySummariesAsync(account, cancellationToken).ConfigureAwait(false);
        return await RowsAsync(store, days.Select(ControlPlaneDay.Of).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RowsAsync<T>(IProjectionStore store, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var position = await store.GetCheckpointAsync(TradingKit.Replay.ProjectionRebuilder.ProjectionName, cancellationToken).ConfigureAwait(false);
        return Results.Json(new ControlPlaneRows<T>(position, rows));
    }

    private static async Task<IResult> GetCommandAsync(Guid commandId, HttpContext http, CancellationToken cancellationToken)
    {
        var stored = await http.RequestServices.GetRequiredService<ICommandStore>().GetAsync(commandId, cancellationToken).ConfigureAwait(false);
        return stored is null
            ? Problem(HttpStatusCode.NotFound, ControlPlaneCodes.CommandNotFound, string.Create(CultureInfo.InvariantCulture, $"No command {commandId}."))
            : Results.Json(ControlPlaneCommand.Of(stored));
    }

    private static async Task<IResult> PostCommandAsync(HttpContext http, string prefix, CancellationToken cancellationToken)
    {
        var (document, refused) = await ReadJsonAsync(http, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        using (document)
        {
            var root = document!.RootElement;
            string? type = null;
            string? key = null;
            JsonElement? payload = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "type" when property.Value.ValueKind == JsonValueKind.String:
                        type = property.Value.GetString();
                        break;
                    case "idempotency_key" when property.Value.ValueKind == JsonValueKind.String:
                        key = property.Value.GetString();
                        break;
                    case "payload" when property.Value.ValueKind == JsonValueKind.Object:
                        payload = property.Value;
                        break;
                    default:
                        return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload,
                            $"Unknown or mistyped field '{property.Name}': a command is {{\"type\": string, \"payload\": object, \"idempotency_key\": string (optional)}}.");
                }
            }

            if (string.IsNullOrWhiteSpace(type) || payload is null)
            {
                return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "A command needs \"type\" (a catalogue type name) and \"payload\" (an object).");
            }

            ITradingCommand command;
            try
            {
                command = CommandSerializer.Deserialize(type, System.Text.Encoding.UTF8.GetBytes(payload.Value.GetRawText()));
            }
            catch (TradingKitException ex)
            {
                return Problem(HttpStatusCode.BadRequest, ex.Code, ex.Message);
            }

            return await InsertAsync(http, prefix, command, key, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> PostKillSwitchAsync(HttpContext http, string prefix, CancellationToken cancellationToken)
    {
        var (document, refused) = await ReadJsonAsync(http, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        using (document)
        {
            var root = document!.RootElement;
            bool? on = null;
            string? reason = null;
            string? key = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "on" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        on = property.Value.GetBoolean();
                        break;
                    case "reason" when property.Value.ValueKind == JsonValueKind.String:
                        reason = property.Value.GetString();
                        break;
                    case "idempotency_key" when property.Value.ValueKind == JsonValueKind.String:
                        key = property.Value.GetString();
                        break;
                    default:
                        return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload,
                            $"Unknown or mistyped field '{property.Name}': the kill switch takes {{\"on\": bool, \"reason\": string}}.");
                }
            }

            if (on is null || string.IsNullOrWhiteSpace(reason))
            {
                return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "The kill switch needs \"on\" (true or false) and a \"reason\" for the record.");
            }

            return await InsertAsync(http, prefix, new SetKillSwitch(on.Value, reason), key, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> InsertAsync(HttpContext http, string prefix, ITradingCommand command, string? bodyKey, CancellationToken cancellationToken)
    {
        var actor = http.User.Identity?.Name;
        if (string.IsNullOrWhiteSpace(actor))
        {
            return Problem(HttpStatusCode.Forbidden, ControlPlaneCodes.NoActor,
                "The authenticated user has no name: every command records who issued it. Configure the authentication scheme to set the name claim.");
        }

        var headerKey = http.Request.Headers["Idempotency-Key"].ToString();
        if (bodyKey is not null && headerKey.Length > 0 && !string.Equals(bodyKey, headerKey, StringComparison.Ordinal))
        {
            return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "The Idempotency-Key header and the body's idempotency_key differ.");
        }

        var key = bodyKey ?? (headerKey.Length > 0 ? headerKey : Guid.NewGuid().ToString("N"));
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
        {
            return Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "An idempotency key is 1 to 200 characters.");
        }

        var services = http.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var envelope = new CommandEnvelope(Guid.NewGuid(), key, command, actor, now, CorrelationId.New());
        var (stored, inserted) = await services.GetRequiredService<ICommandStore>().InsertAsync(envelope, cancellationToken).ConfigureAwait(false);
        var view = ControlPlaneCommand.Of(stored);

        // A second insert under the same key is answered with the command already stored: the engine runs it once.
        return inserted
            ? Results.Accepted(string.Create(CultureInfo.InvariantCulture, $"{http.Request.PathBase}{prefix}/commands/{stored.Envelope.CommandId}"), view)
            : Results.Json(view);
    }

    private static async Task<(JsonDocument? Document, IResult? Refused)> ReadJsonAsync(HttpContext http, CancellationToken cancellationToken)
    {
        // Only a JSON content type is read: a cross-site HTML form cannot send one, so a browser session cannot be used
        // to issue commands from another site.
        if (!http.Request.HasJsonContentType())
        {
            return (null, Problem(HttpStatusCode.UnsupportedMediaType, ControlPlaneCodes.JsonRequired, "Send the command as Content-Type: application/json."));
        }

        if (http.Request.ContentLength > MaxRequestBytes)
        {
            return (null, Problem(HttpStatusCode.RequestEntityTooLarge, ControlPlaneCodes.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"A control plane request is at most {MaxRequestBytes} bytes.")));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxRequestBytes;
        }

        try
        {
            var document = await JsonDocument.ParseAsync(http.Request.Body, default, cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, "The body must be a JSON object."));
            }

            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, Problem(HttpStatusCode.BadRequest, ErrorCodes.MalformedPayload, $"The body is not valid JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem(HttpStatusCode.RequestEntityTooLarge, ControlPlaneCodes.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"A control plane request is at most {MaxRequestBytes} bytes.")));
        }
    }

    private static IResult Problem(HttpStatusCode status, string code, string detail)
        => Results.Problem(detail: detail, statusCode: (int)status, title: code, extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code });
}
