using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

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
    private readonly AccessPolicy _proofOfEverything;

    public AccessGate(AccessRules rules, SignedLinkVerifier links, TokenVerifier tokens, IOptions<AccessOptions> options, GatewayMetrics metrics, ILogger<AccessGate> logger)
    {
        // What can prove access to every key: links when keys are configured, tokens when they are, else either
        // (and then nothing passes: a protected gateway without proofs refuses everything).
        var access = options.Value;
        _proofOfEverything = (access.Keys.Count > 0, access.Token.IsConfigured) switch
        {
            (true, false) => AccessPolicy.Signed,
            (false, true) => AccessPolicy.Token,
            _ => AccessPolicy.SignedOrToken,
        };
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
        var decision = await DecideAsync(context, key, policy);
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
    /// Checks a request for something that shows every key (the live transfer stream): unless everything is open, it
    /// needs a proof that covers the whole root (a <c>scope=prefix</c> link for the root, a token with <c>*</c>), whatever
    /// the root's own policy, because one protected folder is enough for the stream to name what should stay hidden.
    /// Refusals are answered; an expired link has no grace here.
    /// </summary>
    public async ValueTask<bool> CheckEverythingAsync(HttpContext context)
    {
        if (_rules.IsEverythingOpen)
        {
            return true;
        }

        var decision = await DecideAsync(context, string.Empty, _proofOfEverything);
        if (decision.IsAllowed && !decision.OnlyAsResume)
        {
            if (decision.Identity is { } identity)
            {
                context.Features.Set(identity);
            }

            return true;
        }

        await RefuseAsync(context, string.Empty, _proofOfEverything, decision.IsAllowed ? AccessRefusalReason.Expired : decision.Refusal, decision.KeyId);
        return false;
    }

    /// <summary>
    /// For an entry inside a folder the request was allowed (a listing's rows, an archive's members): true when the
    /// proof the request carries also opens <paramref name="key"/> under the key's own policy, so that an open folder
    /// never shows or packs a protected sub-folder. Writes nothing; an expired link inside its resume grace opens no
    /// entry (the grace is for resuming one file).
    /// </summary>
    public async ValueTask<bool> CoversAsync(HttpContext context, string key)
    {
        if (_rules.IsEverythingOpen)
        {
            return true;
        }

        var policy = _rules.PolicyFor(key);
        if (policy == AccessPolicy.Open)
        {
            return true;
        }

        var decision = await DecideAsync(context, key, policy);
        return decision.IsAllowed && !decision.OnlyAsResume;
    }

    /// <summary>
    /// Once the representation is known: a key that reached another file (a symbolic link inside the root) is served
    /// only if the proof also covers the file it reached, so that a link placed in an open folder cannot open a
    /// protected one. Refusals are answered.
    /// </summary>
    public async ValueTask<bool> ConfirmRealKeyAsync(HttpContext context, string key, string realKey)
    {
        if (_rules.IsEverythingOpen || string.Equals(key, realKey, StringComparison.Ordinal))
        {
            return true;
        }

        var policy = _rules.PolicyFor(realKey);
        if (policy == AccessPolicy.Open)
        {
            return true;
        }

        var decision = await DecideAsync(context, realKey, policy);
        if (decision.IsAllowed && !decision.OnlyAsResume)
        {
            return true;
        }

        Log.AliasRefused(_logger, key, realKey, policy);
        await RefuseAsync(context, key, policy, decision.IsAllowed ? AccessRefusalReason.Expired : decision.Refusal, decision.KeyId);
        return false;
    }

    /// <summary>
    /// Once the plan is made, for a decision with <see cref="AccessDecision.OnlyAsResume"/>: the grace serves a resume,
    /// not a new download, so the answer must be a 206 that does not start at the first byte. A Range the planner
    /// ignored (bad syntax, another unit, several fields) would otherwise turn an expired link into a whole file.
    /// </summary>
    public async ValueTask<bool> ConfirmResumePlanAsync(HttpContext context, string key, AccessDecision decision, Downloads.ResponsePlan plan)
    {
        if (!decision.OnlyAsResume || IsPartialResume(plan))
        {
            return true;
        }

        Log.ExpiredLinkResumeRefused(_logger, key, decision.KeyId);
        _metrics.AccessRefused(AccessRefusalReason.Expired);
        await AccessRefusals.WriteAsync(context, AccessRefusalReason.Expired);
        return false;
    }

    private static bool IsPartialResume(Downloads.ResponsePlan plan)
    {
        if (plan.Kind != Downloads.ResponseKind.Content || plan.Ranges.Kind is not (Http.RangeKind.Single or Http.RangeKind.Multiple))
        {
            return false;
        }

        foreach (var range in plan.Ranges.Ranges)
        {
            if (range.First == 0)
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<AccessDecision> DecideAsync(HttpContext context, string key, AccessPolicy policy)
    {
        var request = context.Request;
        return policy switch
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
