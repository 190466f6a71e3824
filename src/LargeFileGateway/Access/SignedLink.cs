using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

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
/// ip={ip}                  (only when present, exactly as in the link)
/// rate={rate}              (only when present)
/// scope=prefix             (only when present)
/// host={host}              (only when Gateway:Access:BindHost: the Host header, ASCII letters in lower case, port included when sent)
/// </code>
/// <para>Each parameter has one spelling: <c>exp</c> and <c>rate</c> decimal digits without sign or leading zero
/// (exp fits in 63 bits, rate is at least 1), <c>kid</c> 1-64 of <c>[A-Za-z0-9._-]</c>, <c>ip</c> an address or CIDR
/// network as RFC 5952 / dotted-quad prints it (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>, <c>203.0.113.7</c>:
/// lower-case hex, shortest IPv6 form, no host bits set past the prefix), <c>scope</c> only <c>prefix</c>, <c>sig</c>
/// exactly the 43 characters of the base64url MAC (no padding, no <c>+</c> or <c>/</c>). The names are lower case.
/// A parameter of the format given twice refuses the link; any other query parameter is not covered and does not
/// change the answer (<c>inline=1</c>).</para>
/// <para>A <c>scope=prefix</c> link opens every key under its folder: the verifier tries the key's folders from the root
/// down (at most <see cref="MaxPrefixDepth"/>), so <c>a/</c> opens <c>a/b/c</c> but never <c>ab/x</c>.</para>
/// <para>The key and the optional values can hold no <c>\n</c> (keys with control characters are refused by the path
/// normalization, the other values by their spelling), so the lines cannot be shifted to forge another string.</para>
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

    /// <summary>Length of <c>sig</c>: 32 bytes of HMAC-SHA256 in base64url without padding.</summary>
    public const int SignatureLength = 43;

    public const int MaxKeyIdLength = 64;

    /// <summary>Longest <c>ip</c> value looked at: an IPv6 network in full is 43 characters.</summary>
    public const int MaxNetworkLength = 64;

    // Below this the canonical bytes live on the stack; a longer key or host rents them from the pool.
    private const int StackCanonicalBytes = 512;

    private static readonly SearchValues<char> KeyIdCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    private static readonly SearchValues<char> Base64UrlCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool IsValidKeyId(ReadOnlySpan<char> keyId)
        => keyId.Length is > 0 and <= MaxKeyIdLength && !keyId.ContainsAnyExcept(KeyIdCharacters);

    /// <summary>The 43 characters a <c>sig</c> can have; whether they are the MAC is for the verifier.</summary>
    public static bool IsWellFormedSignature(ReadOnlySpan<char> signature)
        => signature.Length == SignatureLength && !signature.ContainsAnyExcept(Base64UrlCharacters);

    /// <summary>
    /// <c>exp</c> or <c>rate</c>: decimal digits, no sign, no leading zero, within 63 bits. The framework's parser
    /// also takes white space, signs and leading zeros, each a second spelling of the same number.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 19
            && !text.ContainsAnyExceptInRange('0', '9')
            && (text[0] != '0' || text.Length == 1)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An address or CIDR network in any form .NET reads (what a caller hands to the signer).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        network = default;
        if (text.Length > MaxNetworkLength)
        {
            return false;
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            // Clients are compared as IPv4 when they come as IPv4-mapped IPv6: a mapped network would never match.
            return IPNetwork.TryParse(text, out network) && !network.BaseAddress.IsIPv4MappedToIPv6;
        }

        if (!IPAddress.TryParse(text, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            || address.IsIPv4MappedToIPv6)
        {
            return false;
        }

        network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    /// <summary>The one spelling of a network in a link: the bare address for a single one given bare, else the CIDR.</summary>
    public static string Spell(IPNetwork network, bool asBareAddress)
        => asBareAddress ? network.BaseAddress.ToString() : network.ToString();

    /// <summary>True when <paramref name="text"/> is the one spelling of <paramref name="network"/> (no allocation).</summary>
    public static bool IsSpelledCanonically(ReadOnlySpan<char> text, IPNetwork network)
    {
        Span<char> spelled = stackalloc char[MaxNetworkLength];
        var bare = !text.Contains('/');
        var written = 0;
        var formatted = bare ? network.BaseAddress.TryFormat(spelled, out written) : network.TryFormat(spelled, out written);
        return formatted && text.SequenceEqual(spelled[..written]);
    }

    /// <summary>
    /// The MAC of a link for a key given in UTF-8 (a folder's bytes are a slice of its key's): the one place that
    /// builds the canonical string, for the signer and the verifier alike.
    /// </summary>
    public static void ComputeMac(ReadOnlySpan<byte> secret, in SignedLinkFields fields, ReadOnlySpan<byte> keyUtf8, Span<byte> mac)
    {
        var length = CanonicalLength(fields, keyUtf8.Length);
        byte[]? rented = null;
        Span<byte> canonical = length <= StackCanonicalBytes ? stackalloc byte[StackCanonicalBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = WriteCanonical(canonical, fields, keyUtf8);
            HMACSHA256.HashData(secret, canonical[..written], mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The signature as it appears in a link: base64url of the MAC, no padding.</summary>
    public static string Sign(ReadOnlySpan<byte> secret, in SignedLinkFields fields, string key)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, fields, Encoding.UTF8.GetBytes(key), mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>The canonical string as text, for tests and for people comparing their own implementation.</summary>
    public static string CanonicalString(in SignedLinkFields fields, string key)
    {
        var keyUtf8 = Encoding.UTF8.GetBytes(key);
        var canonical = new byte[CanonicalLength(fields, keyUtf8.Length)];
        return Encoding.UTF8.GetString(canonical, 0, WriteCanonical(canonical, fields, keyUtf8));
    }

    private static int CanonicalLength(in SignedLinkFields fields, int keyBytes)
    {
        // The fixed lines, the longest number twice, and the text values in UTF-8.
        const int Fixed = 15 + 1 + 3 + 1 + 5 + 5 + 4 + 6 + 13 + 6;
        return Fixed + keyBytes + (2 * 20)
            + Encoding.UTF8.GetByteCount(fields.KeyId)
            + (fields.Network is null ? 0 : Encoding.UTF8.GetByteCount(fields.Network))
            + (fields.Host is null ? 0 : Encoding.UTF8.GetByteCount(fields.Host));
    }

    private static int WriteCanonical(Span<byte> destination, in SignedLinkFields fields, ReadOnlySpan<byte> keyUtf8)
    {
        var written = Append(destination, 0, "LFG-HMAC-SHA256\nGET\n"u8);
        written = Append(destination, written, keyUtf8);
        written = Append(destination, written, "\nexp="u8);
        written += Format(fields.ExpiresAt, destination[written..]);
        written = Append(destination, written, "\nkid="u8);
        written += Encoding.UTF8.GetBytes(fields.KeyId, destination[written..]);
        if (fields.Network is { } network)
        {
            written = Append(destination, written, "\nip="u8);
            written += Encoding.UTF8.GetBytes(network, destination[written..]);
        }

        if (fields.Rate is { } rate)
        {
            written = Append(destination, written, "\nrate="u8);
            written += Format(rate, destination[written..]);
        }

        if (fields.PrefixScope)
        {
            written = Append(destination, written, "\nscope=prefix"u8);
        }

        if (fields.Host is { } host)
        {
            written = Append(destination, written, "\nhost="u8);
            var hostBytes = destination.Slice(written, Encoding.UTF8.GetBytes(host, destination[written..]));
            foreach (ref var b in hostBytes)
            {
                // RFC 9110 §4.2.3: the host is case-insensitive; only ASCII letters change, so every language agrees.
                if (b is >= (byte)'A' and <= (byte)'Z')
                {
                    b += 'a' - 'A';
                }
            }

            written += hostBytes.Length;
        }

        return written;
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    private static int Format(long value, Span<byte> destination)
    {
        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}

/// <summary>The parameters of a link that its MAC covers, besides the key.</summary>
/// <param name="ExpiresAt">Unix seconds after which the link is expired.</param>
/// <param name="KeyId">Names the secret.</param>
/// <param name="Network">The <c>ip</c> value as spelled in the link, or null.</param>
/// <param name="Rate">The <c>rate</c> in bytes per second, or null.</param>
/// <param name="PrefixScope">True for <c>scope=prefix</c>: the key is a folder ("" or ending in '/').</param>
/// <param name="Host">The Host the link is bound to, or null when Gateway:Access:BindHost is false.</param>
internal readonly record struct SignedLinkFields(long ExpiresAt, string KeyId, string? Network, long? Rate, bool PrefixScope, string? Host);
