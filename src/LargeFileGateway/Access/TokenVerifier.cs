using System.Security.Claims;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Access;

/// <summary>
/// Checks a bearer token (JWT) with the framework's JwtBearer handler (signature, issuer, audience, lifetime: see
/// <see cref="TokenValidation"/>), then its prefix claim against the key. The handler runs only for keys whose policy
/// accepts tokens, so open keys pay nothing for it.
/// </summary>
internal sealed class TokenVerifier
{
    private const string BearerPrefix = "Bearer ";

    private readonly string _prefixClaim;
    private readonly bool _configured;
    private readonly ILogger _logger;

    public TokenVerifier(IOptions<AccessOptions> options, ILogger<TokenVerifier> logger)
    {
        _prefixClaim = options.Value.Token.PrefixClaim;
        _configured = options.Value.Token.IsConfigured;
        _logger = logger;
    }

    public async ValueTask<AccessDecision> VerifyAsync(HttpContext context, string key)
    {
        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AccessDecision.Refuse(AccessRefusalReason.TokenMissing);
        }

        if (!_configured)
        {
            // No issuer, audience and keys: no token can be valid, and the JwtBearer handler is not registered
            // (AccessServices). A policy that takes tokens then refuses every one, as the handler would.
            Log.TokenRejected(_logger, "no token validation configured");
            return AccessDecision.Refuse(AccessRefusalReason.TokenInvalid);
        }

        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded || result.Principal is not { } principal)
        {
            // The type says which check failed (expired, signature, audience...); the message can quote the token.
            var failure = result.Failure?.GetType().Name ?? "no token";
            Log.TokenRejected(_logger, failure);
            return AccessDecision.Refuse(AccessRefusalReason.TokenInvalid);
        }

        if (!Covers(principal, key))
        {
            return AccessDecision.Refuse(AccessRefusalReason.TokenScope);
        }

        var issuer = principal.FindFirstValue("iss") ?? "-";
        var subject = principal.FindFirstValue("sub") ?? "-";
        return AccessDecision.Allow(new AccessIdentity(AccessIdentityKind.Token, $"sub:{issuer}:{subject}"));
    }

    /// <summary>
    /// True when one of the token's prefixes starts the key. The claim is a JSON array (one claim per element) or a
    /// string of prefixes separated by spaces; <c>*</c> is every key. Prefixes compare byte for byte with the
    /// normalized key, as the rules do: <c>a/</c> covers <c>a/b</c>, not <c>ab</c>.
    /// </summary>
    private bool Covers(ClaimsPrincipal principal, string key)
    {
        foreach (var claim in principal.FindAll(_prefixClaim))
        {
            foreach (var prefix in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (prefix == "*" || key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
