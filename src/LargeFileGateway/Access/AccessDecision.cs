namespace LargeFileGateway.Access;

/// <summary>The answer of the access step for one request, made before any storage call.</summary>
internal readonly record struct AccessDecision
{
    private AccessDecision(AccessRefusalReason refusal, AccessIdentity? identity, bool onlyAsResume, string? keyId)
    {
        Refusal = refusal;
        Identity = identity;
        OnlyAsResume = onlyAsResume;
        KeyId = keyId;
    }

    /// <summary>None when allowed.</summary>
    public AccessRefusalReason Refusal { get; }

    /// <summary>Who the request is; null when refused.</summary>
    public AccessIdentity? Identity { get; }

    /// <summary>
    /// An expired link inside the resume grace: allowed only if the request carries a <c>Range</c> and an
    /// <c>If-Range</c> equal to the current strong ETag, which only the representation can tell (see
    /// <see cref="ResumeGrace.IsResumeOf"/>). The request flow must check it once it has the representation.
    /// </summary>
    public bool OnlyAsResume { get; }

    /// <summary>The key id of the link, for log lines; never the secret.</summary>
    public string? KeyId { get; }

    public bool IsAllowed => Refusal == AccessRefusalReason.None;

    public static AccessDecision Allow(AccessIdentity? identity, bool onlyAsResume = false, string? keyId = null)
        => new(AccessRefusalReason.None, identity, onlyAsResume, keyId);

    public static AccessDecision Refuse(AccessRefusalReason reason, string? keyId = null)
        => new(reason, null, false, keyId);
}
