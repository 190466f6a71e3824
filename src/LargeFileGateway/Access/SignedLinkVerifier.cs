using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LargeFileGateway.Access;

/// <summary>Checks a signed link (<see cref="SignedLink"/>) against the normalized key, the client and the clock.</summary>
/// <remarks>
/// The order of the checks only decides what the log line says (every refusal answers the same): the spelling, the
/// key id, the MAC, then the network and the clock, so that "wrong network" and "expired" are only ever said of
/// links the gateway really signed.
/// </remarks>
internal sealed class SignedLinkVerifier
{
    // Below this a key's UTF-8 bytes live on the stack; a longer one (keys reach 4095 bytes) rents them.
    private const int StackKeyBytes = 512;

    private readonly Dictionary<string, byte[]> _secrets;
    private readonly bool _bindHost;
    private readonly long _graceSeconds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SignedLinkVerifier(IOptions<AccessOptions> options, TimeProvider time, ILogger<SignedLinkVerifier> logger)
    {
        var access = options.Value;

        // Decoded once: the validator has refused the start of a gateway whose secrets are not base64 of 32+ bytes.
        _secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (keyId, secret) in access.Keys)
        {
            if (AccessOptionsValidator.TryDecodeSecret(secret, out var bytes))
            {
                _secrets[keyId] = bytes;
            }
        }

        _bindHost = access.BindHost;
        _graceSeconds = (long)access.ResumeGrace.TotalSeconds;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Allowed (identity <c>link:{kid}:{sig}</c>, the link's <c>rate</c>; <see cref="AccessDecision.OnlyAsResume"/>
    /// when expired but inside the grace), or refused with the reason and the kid.
    /// </summary>
    public AccessDecision Verify(HttpRequest request, string key)
    {
        if (!TryReadLink(request.Query, out var link))
        {
            return AccessDecision.Refuse(AccessRefusalReason.MalformedLink, link.KeyId);
        }

        if (!_secrets.TryGetValue(link.KeyId!, out var secret))
        {
            return AccessDecision.Refuse(AccessRefusalReason.UnknownKey, link.KeyId);
        }

        var fields = new SignedLinkFields(link.ExpiresAt, link.KeyId!, link.NetworkText, link.Rate, link.PrefixScope, _bindHost ? request.Host.Value ?? string.Empty : null);
        if (!MacMatches(secret, fields, key, link.Signature!))
        {
            return AccessDecision.Refuse(AccessRefusalReason.BadSignature, link.KeyId);
        }

        if (link.NetworkText is not null && !IsInNetwork(request.HttpContext.Connection.RemoteIpAddress, link.Network))
        {
            return AccessDecision.Refuse(AccessRefusalReason.WrongNetwork, link.KeyId);
        }

        var identity = new AccessIdentity(AccessIdentityKind.SignedLink, string.Concat("link:", link.KeyId, ":", link.Signature), link.Rate);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (now <= link.ExpiresAt)
        {
            return AccessDecision.Allow(identity, keyId: link.KeyId);
        }

        // exp may be near long.MaxValue: the end of the grace saturates instead of wrapping into the past.
        var graceEnds = link.ExpiresAt > long.MaxValue - _graceSeconds ? long.MaxValue : link.ExpiresAt + _graceSeconds;
        if (now <= graceEnds && ResumeGrace.CouldBeResume(request))
        {
            Log.ExpiredLinkInGrace(_logger, key, link.KeyId, now - link.ExpiresAt);
            return AccessDecision.Allow(identity, onlyAsResume: true, keyId: link.KeyId);
        }

        return AccessDecision.Refuse(AccessRefusalReason.Expired, link.KeyId);
    }

    /// <summary>Reads the format's parameters in their one spelling; false for anything missing, doubled or misspelled.</summary>
    private static bool TryReadLink(IQueryCollection query, out LinkParameters link)
    {
        link = default;
        StringValues exp = default, kid = default, ip = default, rate = default, scope = default, sig = default;
        foreach (var (name, values) in query)
        {
            ref var slot = ref SlotFor(name, ref exp, ref kid, ref ip, ref rate, ref scope, ref sig, out var isFormatName);
            if (!isFormatName)
            {
                continue;
            }

            // The query is matched without regard to case: "EXP" would be a second spelling of "exp".
            if (!IsLowerCaseName(name) || values.Count != 1)
            {
                return false;
            }

            slot = values;
        }

        if (kid.Count == 1 && SignedLink.IsValidKeyId(kid[0]))
        {
            link.KeyId = kid[0];
        }

        if (link.KeyId is null || exp.Count != 1 || !SignedLink.TryParseNumber(exp[0], out link.ExpiresAt)
            || sig.Count != 1 || !SignedLink.IsWellFormedSignature(sig[0]))
        {
            return false;
        }

        link.Signature = sig[0];
        if (rate.Count == 1)
        {
            if (!SignedLink.TryParseNumber(rate[0], out var bytesPerSecond) || bytesPerSecond == 0)
            {
                return false;
            }

            link.Rate = bytesPerSecond;
        }

        if (scope.Count == 1)
        {
            if (!string.Equals(scope[0], SignedLink.PrefixScope, StringComparison.Ordinal))
            {
                return false;
            }

            link.PrefixScope = true;
        }

        if (ip.Count == 1)
        {
            if (ip[0] is not { } text || !SignedLink.TryParseNetwork(text, out link.Network) || !SignedLink.IsSpelledCanonically(text, link.Network))
            {
                return false;
            }

            link.NetworkText = text;
        }

        return true;
    }

    private static ref StringValues SlotFor(string name, ref StringValues exp, ref StringValues kid, ref StringValues ip,
        ref StringValues rate, ref StringValues scope, ref StringValues sig, out bool isFormatName)
    {
        isFormatName = true;
        if (name.Equals(SignedLink.ExpiresParameter, StringComparison.OrdinalIgnoreCase))
        {
            return ref exp;
        }

        if (name.Equals(SignedLink.KeyIdParameter, StringComparison.OrdinalIgnoreCase))
        {
            return ref kid;
        }

        if (name.Equals(SignedLink.NetworkParameter, StringComparison.OrdinalIgnoreCase))
        {
            return ref ip;
        }

        if (name.Equals(SignedLink.RateParameter, StringComparison.OrdinalIgnoreCase))
        {
            return ref rate;
        }

        if (name.Equals(SignedLink.ScopeParameter, StringComparison.OrdinalIgnoreCase))
        {
            return ref scope;
        }

        isFormatName = name.Equals(SignedLink.SignatureParameter, StringComparison.OrdinalIgnoreCase);
        return ref sig;
    }

    private static bool IsLowerCaseName(string name) => !name.AsSpan().ContainsAnyInRange('A', 'Z');

    /// <summary>
    /// Compares in constant time the encoded MAC with <paramref name="signature"/>: comparing characters rather than
    /// decoded bytes also refuses the second spellings base64 allows in the unused low bits of the last character.
    /// A prefix link is tried against each folder of the key from the root down.
    /// </summary>
    private static bool MacMatches(byte[] secret, in SignedLinkFields fields, string key, string signature)
    {
        Span<byte> presented = stackalloc byte[SignedLink.SignatureLength];
        Encoding.ASCII.GetBytes(signature, presented);

        var keyLength = Encoding.UTF8.GetByteCount(key);
        byte[]? rented = null;
        Span<byte> keyUtf8 = keyLength <= StackKeyBytes ? stackalloc byte[StackKeyBytes] : (rented = ArrayPool<byte>.Shared.Rent(keyLength));
        try
        {
            keyUtf8 = keyUtf8[..Encoding.UTF8.GetBytes(key, keyUtf8)];
            if (!fields.PrefixScope)
            {
                return Matches(secret, fields, keyUtf8, presented);
            }

            // The root (""), then each folder ending at a '/': a byte that never occurs inside a UTF-8 sequence.
            var matched = Matches(secret, fields, [], presented);
            for (int at = 0, tried = 1; at < keyUtf8.Length && tried < SignedLink.MaxPrefixDepth; at++)
            {
                if (keyUtf8[at] == (byte)'/')
                {
                    // Every folder is tried (no early exit), so the time does not tell at which depth a link matched.
                    matched |= Matches(secret, fields, keyUtf8[..(at + 1)], presented);
                    tried++;
                }
            }

            return matched;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool Matches(byte[] secret, in SignedLinkFields fields, ReadOnlySpan<byte> keyUtf8, ReadOnlySpan<byte> presented)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SignedLink.SignatureLength];
        SignedLink.ComputeMac(secret, fields, keyUtf8, mac);
        Base64Url.EncodeToUtf8(mac, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private static bool IsInNetwork(IPAddress? client, System.Net.IPNetwork network)
    {
        if (client is null)
        {
            return false;
        }

        // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; links name IPv4 networks in IPv4 form.
        return network.Contains(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client);
    }

    private struct LinkParameters
    {
        public long ExpiresAt;
        public string? KeyId;
        public string? Signature;
        public string? NetworkText;
        public System.Net.IPNetwork Network;
        public long? Rate;
        public bool PrefixScope;
    }
}
