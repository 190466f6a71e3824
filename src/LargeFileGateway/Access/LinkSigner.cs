using System.Globalization;
using System.Text;
using LargeFileGateway.Configuration;
using LargeFileGateway.Security;

namespace LargeFileGateway.Access;

/// <summary>
/// Mints signed links (the format of <c>Gateway:Access:Keys</c> links, documented in README "Protecting files") for
/// .NET applications that hand out downloads: <c>new LinkSigner("k1", secret).Mint("reports/q3.pdf", DateTimeOffset.UtcNow.AddHours(2))</c>.
/// </summary>
public sealed class LinkSigner
{
    private readonly string _keyId;
    private readonly byte[] _secret;
    private readonly bool _bindHost;

    /// <param name="keyId">The key id (<c>kid</c>) under which the gateway knows <paramref name="secret"/>.</param>
    /// <param name="secret">The decoded secret: at least 32 bytes.</param>
    /// <param name="bindHost">The gateway's <c>Gateway:Access:BindHost</c>: links then name the host they are for.</param>
    public LinkSigner(string keyId, ReadOnlySpan<byte> secret, bool bindHost = false)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!SignedLink.IsValidKeyId(keyId))
        {
            throw new ArgumentException($"A key id is 1-{SignedLink.MaxKeyIdLength} of A-Z a-z 0-9 . _ -.", nameof(keyId));
        }

        if (secret.Length < AccessOptionsValidator.MinSecretBytes)
        {
            throw new ArgumentException($"A secret has at least {AccessOptionsValidator.MinSecretBytes} bytes.", nameof(secret));
        }

        _keyId = keyId;
        _secret = secret.ToArray();
        _bindHost = bindHost;
    }

    /// <summary>
    /// The relative URL (<c>/files/{key}?exp=…&amp;kid=…&amp;sig=…</c>) that opens <paramref name="key"/> until
    /// <paramref name="expiresAt"/> (plus the gateway's resume grace for resumes).
    /// </summary>
    /// <param name="key">The file, as a path under the storage root (<c>reports/q3.pdf</c>); with <paramref name="prefixScope"/> the folder (<c>reports/</c>, or "" for all).</param>
    /// <param name="expiresAt">When the link stops opening new downloads (whole seconds; earlier fractions are dropped).</param>
    /// <param name="network">An address or CIDR network (<c>203.0.113.0/24</c>) the client must be in, or null for any.</param>
    /// <param name="rateBytesPerSecond">The download rate the link allows, or null.</param>
    /// <param name="prefixScope">One signature for every key under the folder <paramref name="key"/>.</param>
    /// <param name="host">The Host clients will send (<c>files.example.com</c>); required when the signer binds the host, refused otherwise.</param>
    /// <exception cref="ArgumentException">A key the gateway would refuse or never serve, a bad network, a host where none is bound.</exception>
    public string Mint(string key, DateTimeOffset expiresAt, string? network = null, long? rateBytesPerSecond = null, bool prefixScope = false, string? host = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var normalized = NormalizeKey(key, prefixScope);
        var expires = expiresAt.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(expires, nameof(expiresAt));
        if (rateBytesPerSecond is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate, nameof(rateBytesPerSecond));
        }

        string? spelledNetwork = null;
        if (network is not null)
        {
            if (!SignedLink.TryParseNetwork(network.Trim(), out var parsed))
            {
                throw new ArgumentException("Not an IP address or CIDR network.", nameof(network));
            }

            spelledNetwork = SignedLink.Spell(parsed, asBareAddress: !network.Contains('/', StringComparison.Ordinal));
        }

        if (_bindHost != (host is not null))
        {
            throw new ArgumentException(_bindHost ? "The gateway binds links to a host (BindHost): name it." : "The gateway does not bind links to a host (BindHost is false).", nameof(host));
        }

        var fields = new SignedLinkFields(expires, _keyId, spelledNetwork, rateBytesPerSecond, prefixScope, host);
        var signature = SignedLink.Sign(_secret, fields, normalized);

        var url = new StringBuilder("/files/");
        url.Append(string.Join('/', normalized.Split('/').Select(Uri.EscapeDataString)));
        url.Append(CultureInfo.InvariantCulture, $"?{SignedLink.ExpiresParameter}={expires}&{SignedLink.KeyIdParameter}={_keyId}");
        if (spelledNetwork is not null)
        {
            url.Append(CultureInfo.InvariantCulture, $"&{SignedLink.NetworkParameter}={Uri.EscapeDataString(spelledNetwork)}");
        }

        if (rateBytesPerSecond is not null)
        {
            url.Append(CultureInfo.InvariantCulture, $"&{SignedLink.RateParameter}={rateBytesPerSecond}");
        }

        if (prefixScope)
        {
            url.Append(CultureInfo.InvariantCulture, $"&{SignedLink.ScopeParameter}={SignedLink.PrefixScope}");
        }

        url.Append(CultureInfo.InvariantCulture, $"&{SignedLink.SignatureParameter}={signature}");
        return url.ToString();
    }

    /// <summary>The key exactly as the gateway's path normalization makes it, since that is what the gateway signs.</summary>
    private static string NormalizeKey(string key, bool prefixScope)
    {
        if (prefixScope && key.Trim('/').Length == 0)
        {
            return string.Empty;
        }

        var verdict = StorageKey.TryNormalize(key, out var normalized);
        if (verdict != StorageKeyVerdict.Valid)
        {
            throw new ArgumentException($"The gateway would not serve this key ({verdict}).", nameof(key));
        }

        if (!prefixScope)
        {
            return normalized;
        }

        if (normalized.Count(c => c == '/') + 2 > SignedLink.MaxPrefixDepth)
        {
            throw new ArgumentException($"A prefix link opens folders at most {SignedLink.MaxPrefixDepth - 1} deep.", nameof(key));
        }

        return normalized + "/";
    }
}
