namespace LargeFileGateway.Access;

/// <summary>
/// The signed-link format, open so that any language can mint links:
/// <c>/files/{key}?exp=&lt;unix seconds&gt;&amp;kid=&lt;key id&gt;[&amp;ip=&lt;CIDR&gt;][&amp;rate=&lt;bytes/s&gt;][&amp;scope=prefix]&amp;sig=&lt;base64url HMAC-SHA256&gt;</c>.
/// </summary>
/// <remarks>
/// <para>The MAC (HMAC-SHA256 with the secret of <c>kid</c>, base64url without padding: 43 characters) covers the
/// canonical string: these lines joined by <c>\n</c> (no trailing newline), optional ones only when present, in this order:</para>
/// <code>
/// LFG-HMAC-SHA256
/// GET                      (the method class: GET and HEAD alike)
/// {key}                    (the normalized key as the storage sees it, UTF-8; with scope=prefix the folder: "" or ending in "/")
/// exp={exp}
/// kid={kid}
/// ip={ip}                  (only when present)
/// rate={rate}              (only when present)
/// scope=prefix             (only when present)
/// host={host}              (only when Gateway:Access:BindHost: the Host header, lower case, port included when sent)
/// </code>
/// <para>Each parameter has one spelling: <c>exp</c> and <c>rate</c> decimal digits without sign or leading zero
/// (exp fits in 63 bits), <c>kid</c> 1-64 of <c>[A-Za-z0-9._-]</c>, <c>ip</c> an address or CIDR network, <c>scope</c>
/// only <c>prefix</c>. A parameter of the format given twice refuses the link; any other query parameter is not covered
/// and does not change the answer (<c>inline=1</c>).</para>
/// <para>A <c>scope=prefix</c> link opens every key under its folder: the verifier tries the key's folders from the root
/// down (at most <see cref="MaxPrefixDepth"/>), so <c>a/</c> opens <c>a/b/c</c> but never <c>ab/x</c>.</para>
/// </remarks>
internal static class SignedLink
{
    public const string Algorithm = "LFG-HMAC-SHA256";
    public const string ExpiresParameter = "exp";
    public const string KeyIdParameter = "kid";
    public const string NetworkParameter = "ip";
    public const string RateParameter = "rate";
    public const string ScopeParameter = "scope";
    public const string SignatureParameter = "sig";
    public const string PrefixScope = "prefix";

    /// <summary>Folders tried for a prefix link: bounds the MACs computed per request.</summary>
    public const int MaxPrefixDepth = 32;
}
