using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TradingKit.Samples.Host;

/// <summary>The operator's API key, kept only as its SHA-256.</summary>
internal sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>The SHA-256 of the key.</summary>
    public byte[] KeyHash { get; set; } = [];

    /// <summary>Who the key's holder is, in the commands' audit trail.</summary>
    public string Operator { get; set; } = "operator";
}

/// <summary>
/// <c>Authorization: ApiKey &lt;key&gt;</c>: the key's SHA-256 compared in constant time with the configured one. A sample's
/// scheme: a real deployment puts the control plane behind its single sign-on (JWT bearer, OpenID Connect, client
/// certificates) instead.
/// </summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        const string Prefix = SchemeName + " ";
        if (!header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(presented, Options.KeyHash))
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Options.Operator)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
