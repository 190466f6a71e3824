using LargeFileGateway.Observability;

namespace LargeFileGateway.Access;

/// <summary>
/// The access step of every endpoint that reads keys (downloads, listings, archives, events): the policy of the
/// normalized key, then the proof it needs. Runs before any storage call, so a refused request costs no storage
/// read; answers the refusal itself.
/// </summary>
internal sealed class AccessGate
{
    private readonly AccessRules _rules;
    private readonly SignedLinkVerifier _links;
    private readonly TokenVerifier _tokens;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    public AccessGate(AccessRules rules, SignedLinkVerifier links, TokenVerifier tokens, GatewayMetrics metrics, ILogger<AccessGate> logger)
    {
        _rules = rules;
        _links = links;
        _tokens = tokens;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>True when no key needs anything (the default): the step costs nothing then.</summary>
    public bool IsEverythingOpen => _rules.IsEverythingOpen;

    /// <summary>
    /// Checks a request for <paramref name="key"/> (a normalized key; for a folder, its prefix ending in <c>/</c>, the
    /// empty string for the root). When refused, the answer is written and the caller only returns. When allowed,
    /// the identity (if any: open paths have none, their identity is the client address) is set as a request feature.
    /// </summary>
    public async ValueTask<AccessDecision> CheckAsync(HttpContext context, string key)
    {
        if (_rules.IsEverythingOpen)
        {
            return AccessDecision.Allow(identity: null);
        }

        var policy = _rules.PolicyFor(key);
        var request = context.Request;
        var decision = policy switch
        {
            AccessPolicy.Open => AccessDecision.Allow(identity: null),
            AccessPolicy.Signed => request.Query.ContainsKey(SignedLink.SignatureParameter)
                ? _links.Verify(request, key)
                : AccessDecision.Refuse(AccessRefusalReason.SignatureMissing),
            AccessPolicy.Token => await _tokens.VerifyAsync(context, key),
            _ => request.Query.ContainsKey(SignedLink.SignatureParameter)
                ? _links.Verify(request, key)
                : await _tokens.VerifyAsync(context, key),
        };

        if (!decision.IsAllowed)
        {
            await RefuseAsync(context, key, policy, decision.Refusal, decision.KeyId);
        }
        else if (decision.Identity is { } identity)
        {
            context.Features.Set(identity);
        }

        return decision;
    }

    /// <summary>
    /// For a decision with <see cref="AccessDecision.OnlyAsResume"/>, once the representation is known: refuses (and
    /// answers) unless the request resumes exactly this version.
    /// </summary>
    public async ValueTask<bool> ConfirmResumeAsync(HttpContext context, string key, AccessDecision decision, Representations.Representation? representation)
    {
        if (!decision.OnlyAsResume || (representation is not null && ResumeGrace.IsResumeOf(context.Request, representation)))
        {
            return true;
        }

        Log.ExpiredLinkResumeRefused(_logger, key, decision.KeyId);
        _metrics.AccessRefused(AccessRefusalReason.Expired);
        await AccessRefusals.WriteAsync(context, AccessRefusalReason.Expired);
        return false;
    }

    private Task RefuseAsync(HttpContext context, string key, AccessPolicy policy, AccessRefusalReason reason, string? keyId)
    {
        Log.AccessRefused(_logger, key, policy, reason, keyId);
        _metrics.AccessRefused(reason);
        return AccessRefusals.WriteAsync(context, reason);
    }
}
