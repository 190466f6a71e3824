using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Access;

/// <summary>Checks a signed link (<see cref="SignedLink"/>) against the normalized key, the client and the clock.</summary>
internal sealed class SignedLinkVerifier
{
    private readonly AccessOptions _options;
    private readonly TimeProvider _time;

    public SignedLinkVerifier(IOptions<AccessOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    /// <summary>
    /// Allowed (identity <c>link:{kid}:{sig}</c>, the link's <c>rate</c>; <see cref="AccessDecision.OnlyAsResume"/>
    /// when expired but inside the grace), or refused with the reason and the kid.
    /// </summary>
    public AccessDecision Verify(HttpRequest request, string key)
    {
        _ = request;
        _ = key;
        _ = _time;
        // Not built yet: refuses every link (fail closed).
        return AccessDecision.Refuse(AccessRefusalReason.BadSignature, _options.Keys.Keys.FirstOrDefault());
    }
}
