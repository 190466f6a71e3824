using System.ComponentModel.DataAnnotations;
using LargeFileGateway.Access;

namespace LargeFileGateway.Configuration;

/// <summary>Who may read what: a policy per key prefix, the signed-link keys and the token settings. Bound from <c>Gateway:Access</c>.</summary>
internal sealed class AccessOptions
{
    public const string SectionName = "Gateway:Access";

    /// <summary>The policy of keys no rule matches. Open, so that a first run needs no keys.</summary>
    [EnumDataType(typeof(AccessPolicy), ErrorMessage = SectionName + ":DefaultPolicy must be Open, Signed, Token or SignedOrToken.")]
    public AccessPolicy DefaultPolicy { get; set; } = AccessPolicy.Open;

    /// <summary>Policies per key prefix; the longest matching prefix wins. A prefix is compared, byte for byte, with the normalized key.</summary>
    public List<AccessRule> Rules { get; set; } = [];

    /// <summary>
    /// Signed-link keys by key id (<c>kid</c>): base64 secrets of at least 32 bytes. Several at once, so that a new key
    /// can sign new links while links of the old one still work until they expire.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>When true the MAC covers the Host the client asked for, so a link minted for one site fails on another.</summary>
    public bool BindHost { get; set; }

    /// <summary>
    /// How long after <c>exp</c> a link still serves a resume of the same version (a <c>Range</c> with an
    /// <c>If-Range</c> equal to the current strong ETag): a download manager resuming the next morning must not be refused.
    /// </summary>
    [TimeSpanRange("00:00:00", "365.00:00:00", ErrorMessage = SectionName + ":ResumeGrace must be between {1} and {2}.")]
    public TimeSpan ResumeGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Bearer tokens (JWT) for API clients; their keys are checked by <see cref="TokenAccessOptionsValidator"/>.</summary>
    [Microsoft.Extensions.Options.ValidateObjectMembers]
    public TokenAccessOptions Token { get; set; } = new();
}

/// <summary>One entry of <c>Gateway:Access:Rules</c>.</summary>
internal sealed class AccessRule
{
    /// <summary>A normalized key prefix such as <c>public/</c>; the empty prefix matches every key.</summary>
    public string Prefix { get; set; } = string.Empty;

    public AccessPolicy Policy { get; set; } = AccessPolicy.Open;
}

/// <summary>
/// How bearer tokens are validated (<c>Gateway:Access:Token</c>): by the framework's JwtBearer handler, from
/// configuration alone (no metadata fetched over the network).
/// </summary>
internal sealed class TokenAccessOptions
{
    /// <summary>The <c>iss</c> a token must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> a token must carry.</summary>
    public string? Audience { get; set; }

    /// <summary>HMAC (HS256) signing keys by key id: base64 secrets of at least 32 bytes.</summary>
    public Dictionary<string, string> SigningKeys { get; set; } = [];

    /// <summary>Public keys (RSA or ECDSA, PEM text or a path to a PEM file) by key id, for RS256/ES256 tokens.</summary>
    public Dictionary<string, string> PublicKeys { get; set; } = [];

    /// <summary>
    /// The claim naming the key prefixes a token may read: a JSON array of strings, or one string with prefixes
    /// separated by spaces; <c>*</c> means every key.
    /// </summary>
    public string PrefixClaim { get; set; } = "prefixes";

    /// <summary>Tolerated clock difference between the token issuer and the gateway.</summary>
    [TimeSpanRange("00:00:00", "00:10:00", ErrorMessage = AccessOptions.SectionName + ":Token:ClockSkew must be between {1} and {2}.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when tokens can be validated: an issuer, an audience and at least one key are configured.</summary>
    public bool IsConfigured => Issuer is { Length: > 0 } && Audience is { Length: > 0 } && (SigningKeys.Count > 0 || PublicKeys.Count > 0);
}
