using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TradingKit.Domain;
using TradingKit.Errors;
using TradingKit.Events;
using TradingKit.Orders;
using TradingKit.Risk;
using TradingKit.Stores;

namespace TradingKit.Execution.Approvals;

/// <summary>The stable codes of the approval gate.</summary>
public static class ApprovalCodes
{
    /// <summary>The kill switch is on (checked first).</summary>
    public const string KillSwitchOn = "APPROVAL_KILL_SWITCH_ON";

    /// <summary>The token is malformed or its signature does not verify with the gate's key.</summary>
    public const string InvalidSignature = "APPROVAL_TOKEN_INVALID_SIGNATURE";

    /// <summary>The token is past its expiry.</summary>
    public const string Expired = "APPROVAL_TOKEN_EXPIRED";

    /// <summary>The token is signed but no approval record has its hash.</summary>
    public const string Unknown = "APPROVAL_TOKEN_UNKNOWN";

    /// <summary>The token was already used (single use).</summary>
    public const string Used = "APPROVAL_TOKEN_USED";

    /// <summary>The token was issued for another proposal or another payload.</summary>
    public const string Mismatch = "APPROVAL_TOKEN_MISMATCH";

    /// <summary>No proposal has this id.</summary>
    public const string ProposalNotFound = "APPROVAL_PROPOSAL_NOT_FOUND";

    /// <summary>A proposal with this id already exists.</summary>
    public const string ProposalExists = "APPROVAL_PROPOSAL_EXISTS";

    /// <summary>The proposal is not pending, so it cannot be approved or rejected.</summary>
    public const string ProposalNotPending = "APPROVAL_PROPOSAL_NOT_PENDING";

    /// <summary>A stored proposal's payload claims to be an order proposal but does not read as one (altered in the store).</summary>
    public const string PayloadInvalid = "APPROVAL_PAYLOAD_INVALID";
}

/// <summary>A refusal of the approval gate; <see cref="TradingKitException.Code"/> is one of <see cref="ApprovalCodes"/>.</summary>
public sealed class ApprovalGateException : TradingKitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">The code.</param>
    /// <param name="proposalId">The proposal concerned.</param>
    /// <param name="message">What went wrong.</param>
    public ApprovalGateException(string code, ProposalId proposalId, string message)
        : base(code, message) => ProposalId = proposalId;

    /// <summary>The proposal concerned.</summary>
    public ProposalId ProposalId { get; }
}

/// <summary>Receives the approval flow's events for the journal and event log.</summary>
public interface IApprovalEventSink
{
    /// <summary>Publishes one event.</summary>
    /// <param name="approvalEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when published.</returns>
    ValueTask PublishAsync(IApprovalEvent approvalEvent, CancellationToken cancellationToken = default);
}

/// <summary>Settings of the <see cref="ApprovalGate"/>.</summary>
public sealed class ApprovalGateOptions
{
    /// <summary>The HMAC-SHA256 key, at least 32 bytes. Only the gate holds it; load it from a secret store, never log it.</summary>
    public byte[]? SigningKey { get; set; }

    /// <summary>How long a token is valid when the approver does not say.</summary>
    /// <value>Defaults to 1 hour.</value>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest lifetime an approver may give a token.</summary>
    /// <value>Defaults to 24 hours.</value>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// The approval gate (seed 001): a proposal is approved or rejected by a named person; approval issues a signed
/// (HMAC-SHA256), expiring, single-use token bound to the proposal id and its payload hash, and only the token's
/// SHA-256 is stored. <see cref="PlaceAsync{TResult}"/> checks, in this order, the kill switch, the signature, the
/// expiry, then that the approval record exists, is unused and matches the proposal, and only then marks the token
/// used and calls the place delegate. Every refusal has its own code and makes no call to the delegate.
/// </summary>
/// <remarks>
/// Proposals and approvals live in an <see cref="IApprovalStore"/> (seed 001's <c>proposals</c> and <c>approvals</c>):
/// in memory, or on PostgreSQL, where they survive a restart. A proposal is keyed by <see cref="ProposalId.StoreId"/>
/// and its payload is the order as JSON, so a pending proposal can be approved by a later process. The token itself is
/// never stored: an approval whose process stopped between issuing the token and using it cannot be used by any other
/// (the proposal stays APPROVED, unplaced, until the token's expiry makes it moot), which fails closed.
/// </remarks>
public sealed class ApprovalGate
{
    private const string TokenVersion = "tk1";
    private readonly IApprovalStore _store;
    private readonly KillSwitch _killSwitch;
    private readonly byte[] _key;
    private readonly ApprovalGateOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IApprovalEventSink? _events;

    /// <summary>Creates the gate.</summary>
    /// <param name="store">Where proposals and approvals are kept.</param>
    /// <param name="killSwitch">The kill switch, checked first.</param>
    /// <param name="options">The settings; the key is copied.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="events">Receives the flow's events; none when null.</param>
    /// <exception cref="TradingKitException"><c>INVALID_OPTIONS</c> when the key is shorter than 32 bytes or the lifetimes are invalid.</exception>
    public ApprovalGate(IApprovalStore store, KillSwitch killSwitch, ApprovalGateOptions options, TimeProvider? timeProvider = null, IApprovalEventSink? events = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(killSwitch);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SigningKey is not { Length: >= 32 })
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "The approval gate needs a signing key of at least 32 bytes.");
        }

        if (options.DefaultTokenLifetime <= TimeSpan.Zero || options.MaxTokenLifetime < options.DefaultTokenLifetime)
        {
            throw new TradingKitException(ErrorCodes.InvalidOptions, "Token lifetimes must be positive, the default at most the maximum.");
        }

        _store = store;
        _killSwitch = killSwitch;
        _key = [.. options.SigningKey];
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _events = events;
    }

    /// <summary>The SHA-256 (lower-case hex) of a token: what the store keeps.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The hash.</returns>
    public static string HashToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>Turns an order intent into a pending proposal.</summary>
    /// <param name="id">The proposal id.</param>
    /// <param name="order">The order that would be placed.</param>
    /// <param name="reason">Why it is proposed.</param>
    /// <param name="context">Where it came from (kept with it, and its correlation id stored); a fresh correlation id when null.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The proposal as stored.</returns>
    /// <exception cref="ApprovalGateException"><c>APPROVAL_PROPOSAL_EXISTS</c>.</exception>
    public async ValueTask<OrderProposal> ProposeAsync(ProposalId id, OrderRequest order, string reason, ProposalContext? context = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var payload = ProposalPayload.Write(id, order, reason, context);
        var (stored, created) = await _store.CreateProposalAsync(id.StoreId, payload, context?.CorrelationId ?? CorrelationId.New(), cancellationToken)
            .ConfigureAwait(false);
        if (!created)
        {
            throw new ApprovalGateException(ApprovalCodes.ProposalExists, id, $"Proposal {id} already exists.");
        }

        var proposal = ProposalPayload.Read(stored)
            ?? throw new ApprovalGateException(ApprovalCodes.PayloadInvalid, id, $"Proposal {id} was stored but does not read back.");
        await PublishAsync(new ProposalCreated(id, order.Symbol, order.Side, order.Quantity, proposal.PayloadHash, reason, stored.CreatedAt), cancellationToken)
            .ConfigureAwait(false);
        return proposal;
    }

    /// <summary>Reads a proposal from the store.</summary>
    /// <param name="id">The proposal.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The proposal, or null when none has this id.</returns>
    /// <exception cref="ApprovalGateException"><c>APPROVAL_PAYLOAD_INVALID</c> when its stored payload was altered into something unreadable.</exception>
    public async ValueTask<OrderProposal?> GetAsync(ProposalId id, CancellationToken cancellationToken = default)
    {
        var stored = await _store.GetProposalAsync(id.StoreId, cancellationToken).ConfigureAwait(false);
        try
        {
            return stored is null ? null : ProposalPayload.Read(stored);
        }
        catch (TradingKitException e) when (e.Code == ApprovalCodes.PayloadInvalid)
        {
            throw new ApprovalGateException(ApprovalCodes.PayloadInvalid, id, e.Message);
        }
    }

    /// <summary>Lists proposals, oldest first; rows of the store that are not order proposals are passed over.</summary>
    /// <exception cref="TradingKitException"><c>APPROVAL_PAYLOAD_INVALID</c> when a row claims to be an order proposal but does not read as one.</exception>
    /// <param name="status">Only proposals in this status; all when null.</param>
    /// <param name="maxCount">The most rows to read from the store.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The proposals.</returns>
    public async ValueTask<IReadOnlyList<OrderProposal>> ListAsync(ProposalStatus? status = null, int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var stored = await _store.ListProposalsAsync(status, maxCount, cancellationToken).ConfigureAwait(false);
        var proposals = new List<OrderProposal>(stored.Count);
        foreach (var row in stored)
        {
            if (ProposalPayload.Read(row) is { } proposal)
            {
                proposals.Add(proposal);
            }
        }

        return proposals;
    }

    /// <summary>
    /// Approves a pending proposal and issues its token. A proposal approved before whose token was never used (the kill
    /// switch refused its placement, or the process stopped before placing it) is approved again: it gets a new token and
    /// the old one stops being accepted.
    /// </summary>
    /// <param name="id">The proposal.</param>
    /// <param name="approvedBy">The approver (required).</param>
    /// <param name="lifetime">How long the token is valid; the default lifetime when null.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token (not stored anywhere) and the stored record.</returns>
    /// <exception cref="ApprovalGateException"><c>APPROVAL_PROPOSAL_NOT_FOUND</c>, or <c>APPROVAL_PROPOSAL_NOT_PENDING</c> when it was rejected or placed.</exception>
    public async ValueTask<ApprovalGrant> ApproveAsync(ProposalId id, string approvedBy, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        var ttl = lifetime ?? _options.DefaultTokenLifetime;
        if (ttl <= TimeSpan.Zero || ttl > _options.MaxTokenLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), ttl, "The token lifetime must be positive and at most the maximum lifetime.");
        }

        var proposal = await GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ApprovalGateException(ApprovalCodes.ProposalNotFound, id, $"No proposal {id}.");
        if (proposal.Status is not (ProposalStatus.Pending or ProposalStatus.Approved))
        {
            throw NotPending(id);
        }

        var expiresAt = _timeProvider.GetUtcNow() + ttl;
        var token = IssueToken(id, proposal.PayloadHash, expiresAt);
        Approval approval;
        try
        {
            // An approved proposal whose token was never used (its placement was refused, or its process stopped) is
            // approved again with a new token; the old one stops being accepted. A used token's proposal is not pending.
            approval = proposal.Status == ProposalStatus.Pending
                ? await _store.ApproveAsync(id.StoreId, approvedBy, HashToken(token), expiresAt, cancellationToken).ConfigureAwait(false)
                : await _store.ReapproveAsync(id.StoreId, approvedBy, HashToken(token), expiresAt, cancellationToken).ConfigureAwait(false);
        }
        catch (TradingKitException e) when (e.Code is StoreErrorCodes.ProposalNotPending or StoreErrorCodes.ProposalNotFound)
        {
            throw NotPending(id);
        }

        var record = new ApprovalRecord(id, approval.TokenHash, proposal.PayloadHash, approval.Approver, approval.ApprovedAt, approval.ExpiresAt, null);
        await PublishAsync(new ApprovalGranted(id, approvedBy, record.TokenHash, expiresAt, approval.ApprovedAt), cancellationToken).ConfigureAwait(false);
        return new ApprovalGrant(token, record);
    }

    /// <summary>Rejects a pending proposal.</summary>
    /// <param name="id">The proposal.</param>
    /// <param name="rejectedBy">Who rejects it (required).</param>
    /// <param name="reason">Why (required).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ApprovalGateException"><c>APPROVAL_PROPOSAL_NOT_FOUND</c> or <c>APPROVAL_PROPOSAL_NOT_PENDING</c>.</exception>
    public async ValueTask<ApprovalRejected> RejectAsync(ProposalId id, string rejectedBy, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rejectedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _ = await GetPendingAsync(id, cancellationToken).ConfigureAwait(false);
        Proposal stored;
        try
        {
            stored = await _store.RejectAsync(id.StoreId, rejectedBy, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (TradingKitException e) when (e.Code is StoreErrorCodes.ProposalNotPending or StoreErrorCodes.ProposalNotFound)
        {
            throw NotPending(id);
        }

        var rejected = new ApprovalRejected(id, rejectedBy, reason, stored.DecidedAt ?? _timeProvider.GetUtcNow());
        await PublishAsync(rejected, cancellationToken).ConfigureAwait(false);
        return rejected;
    }

    /// <summary>
    /// Places an approved proposal's order through <paramref name="place"/> if, in this order: the kill switch is off,
    /// the token's signature verifies, it has not expired, and its approval record exists, is unused and matches the
    /// proposal id and payload. The token is marked used before the delegate runs, so it can never place twice.
    /// </summary>
    /// <typeparam name="TResult">What the delegate returns.</typeparam>
    /// <param name="id">The proposal to place.</param>
    /// <param name="token">The token issued at approval.</param>
    /// <param name="place">Sends the order (the OMS submit); called at most once, only when every check passed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The delegate's result.</returns>
    /// <exception cref="ApprovalGateException">A check failed; its code says which. The delegate was not called.</exception>
    public async ValueTask<TResult> PlaceAsync<TResult>(ProposalId id, string token, Func<OrderRequest, CancellationToken, ValueTask<TResult>> place,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(place);
        var now = _timeProvider.GetUtcNow();
        if (_killSwitch.IsOn)
        {
            throw await RefuseAsync(id, ApprovalCodes.KillSwitchOn, "The kill switch is on; nothing is placed.", now, cancellationToken).ConfigureAwait(false);
        }

        if (!TryVerify(token, out var claims))
        {
            throw await RefuseAsync(id, ApprovalCodes.InvalidSignature, "The approval token's signature does not verify.", now, cancellationToken).ConfigureAwait(false);
        }

        if (now >= claims.ExpiresAt)
        {
            throw await RefuseAsync(id, ApprovalCodes.Expired, $"The approval token expired at {claims.ExpiresAt:O}.", now, cancellationToken).ConfigureAwait(false);
        }

        // The token names the proposal it was issued for; its approval (one per proposal) must hold this token's hash.
        var tokenHash = HashToken(token);
        var record = await _store.GetApprovalAsync(claims.ProposalId.StoreId, cancellationToken).ConfigureAwait(false);
        if (record is null || !string.Equals(record.TokenHash, tokenHash, StringComparison.Ordinal))
        {
            throw await RefuseAsync(id, ApprovalCodes.Unknown, "No approval record matches this token.", now, cancellationToken).ConfigureAwait(false);
        }

        if (record.UsedAt is not null)
        {
            throw await RefuseAsync(id, ApprovalCodes.Used, $"The approval token was already used at {record.UsedAt:O}.", now, cancellationToken).ConfigureAwait(false);
        }

        var proposal = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (proposal is null || claims.ProposalId != id || claims.PayloadHash != proposal.PayloadHash || proposal.Status != ProposalStatus.Approved)
        {
            throw await RefuseAsync(id, ApprovalCodes.Mismatch, $"The approval token was not issued for proposal {id} as it stands.", now, cancellationToken).ConfigureAwait(false);
        }

        var (outcome, _) = await _store.MarkTokenUsedAsync(tokenHash, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case TokenUseOutcome.Used:
                break;
            case TokenUseOutcome.Expired:
                throw await RefuseAsync(id, ApprovalCodes.Expired, "The approval token expired before it was used.", now, cancellationToken).ConfigureAwait(false);
            case TokenUseOutcome.Unknown:
                throw await RefuseAsync(id, ApprovalCodes.Unknown, "No approval record matches this token.", now, cancellationToken).ConfigureAwait(false);
            default:
                throw await RefuseAsync(id, ApprovalCodes.Used, "The approval token was used concurrently.", now, cancellationToken).ConfigureAwait(false);
        }

        await PublishAsync(new ApprovalTokenUsed(id, tokenHash, now), cancellationToken).ConfigureAwait(false);
        return await place(proposal.Order, cancellationToken).ConfigureAwait(false);
    }

    private string IssueToken(ProposalId id, string payloadHash, DateTimeOffset expiresAt)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var claims = string.Join('\n', id.Value, payloadHash, expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), nonce);
        var body = TokenVersion + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));
        return body + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body)));
    }

    private bool TryVerify(string? token, out TokenClaims claims)
    {
        claims = default;
        var parts = token?.Split('.');
        if (parts is not { Length: 3 } || parts[0] != TokenVersion)
        {
            return false;
        }

        byte[] signature;
        byte[] claimBytes;
        try
        {
            signature = Base64Url.DecodeFromChars(parts[2]);
            claimBytes = Base64Url.DecodeFromChars(parts[1]);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return false;
        }

        var fields = Encoding.UTF8.GetString(claimBytes).Split('\n');
        if (fields.Length != 4 || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(fields[0]))
        {
            return false;
        }

        claims = new TokenClaims(new ProposalId(fields[0]), fields[1], DateTimeOffset.FromUnixTimeMilliseconds(expiresMs));
        return true;
    }

    private async ValueTask<OrderProposal> GetPendingAsync(ProposalId id, CancellationToken cancellationToken)
    {
        var proposal = await GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ApprovalGateException(ApprovalCodes.ProposalNotFound, id, $"No proposal {id}.");
        return proposal.Status == ProposalStatus.Pending ? proposal : throw NotPending(id);
    }

    private static ApprovalGateException NotPending(ProposalId id)
        => new(ApprovalCodes.ProposalNotPending, id, $"Proposal {id} is no longer pending.");

    private async ValueTask<ApprovalGateException> RefuseAsync(ProposalId id, string code, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await PublishAsync(new ApprovalRefused(id, code, now), cancellationToken).ConfigureAwait(false);
        return new ApprovalGateException(code, id, $"Proposal {id}: {message}");
    }

    private ValueTask PublishAsync(IApprovalEvent approvalEvent, CancellationToken cancellationToken)
        => _events?.PublishAsync(approvalEvent, cancellationToken) ?? ValueTask.CompletedTask;

    private readonly record struct TokenClaims(ProposalId ProposalId, string PayloadHash, DateTimeOffset ExpiresAt);
}
