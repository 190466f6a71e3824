using System.Net;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.UnitTests.Access;

public sealed class SignedLinkVerifierTests
{
    private const string Key = "a/b.bin";
    private static readonly byte[] OldSecret = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] NewSecret = [.. Enumerable.Range(100, 40).Select(i => (byte)i)];
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly FakeTimeProvider _time = new(Now);

    public static TheoryData<string, string> TamperedLinks => new()
    {
        // Every parameter changed after signing.
        { "exp=1800003601&kid=new&sig={sig}", nameof(AccessRefusalReason.BadSignature) },
        { "exp=1800003600&kid=old&sig={sig}", nameof(AccessRefusalReason.BadSignature) },
        { "exp=1800003600&kid=gone&sig={sig}", nameof(AccessRefusalReason.UnknownKey) },
        { "exp=1800003600&kid=new&sig={sig-flipped}", nameof(AccessRefusalReason.BadSignature) },
        { "exp=1800003600&kid=new&sig={sig}&ip=198.51.100.0/24", nameof(AccessRefusalReason.BadSignature) },
        { "exp=1800003600&kid=new&sig={sig}&rate=1000", nameof(AccessRefusalReason.BadSignature) },
        { "exp=1800003600&kid=new&sig={sig}&scope=prefix", nameof(AccessRefusalReason.BadSignature) },
        // Duplicated, even with the same value.
        { "exp=1800003600&kid=new&sig={sig}&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&exp=1800003600&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&EXP=1800003600&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        // Names in another case are another spelling.
        { "EXP=1800003600&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&Sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        // Truncated or missing.
        { "exp=1800003600&kid=new&sig={sig-short}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig=", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new", nameof(AccessRefusalReason.MalformedLink) },
        { "kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=18000036&kid=new&sig={sig}", nameof(AccessRefusalReason.BadSignature) },
        // Base64 with padding or the standard alphabet.
        { "exp=1800003600&kid=new&sig={sig}=", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig}%3D", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig-std}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig-plus}", nameof(AccessRefusalReason.MalformedLink) },
        // The unused low bits of the last character: same bytes, another spelling.
        { "exp=1800003600&kid=new&sig={sig-lowbits}", nameof(AccessRefusalReason.BadSignature) },
        // exp: not a number, beyond 63 or 64 bits, another spelling of the same number.
        { "exp=soon&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=9223372036854775808&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=18446744073709551617&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=01800003600&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=%2B1800003600&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600.0&kid=new&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
        // Parameters that can only have their one value or spelling.
        { "exp=1800003600&kid=new&sig={sig}&scope=folder", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig}&rate=0", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig}&rate=-5", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig}&ip=not-an-address", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=new&sig={sig}&ip=10.1", nameof(AccessRefusalReason.MalformedLink) },
        { "exp=1800003600&kid=k%20y&sig={sig}", nameof(AccessRefusalReason.MalformedLink) },
    };

    [Fact]
    public void Verify_MintedLink_AllowsWithTheLinkIdentity()
    {
        var url = Signer("new").Mint(Key, Now.AddHours(1));

        var decision = Verifier().Verify(Request(url), Key);

        Assert.True(decision.IsAllowed);
        Assert.False(decision.OnlyAsResume);
        Assert.Equal("new", decision.KeyId);
        Assert.Equal(new AccessIdentity(AccessIdentityKind.SignedLink, $"link:new:{Query(url)["sig"]}", null), decision.Identity);
    }

    [Theory]
    [MemberData(nameof(TamperedLinks))]
    public void Verify_TamperedDuplicatedTruncatedOrMisspelled_RefusedWithReason(string query, string reason)
    {
        var signature = Query(Signer("new").Mint(Key, DateTimeOffset.FromUnixTimeSeconds(1800003600)))["sig"];
        var lowBits = signature[..^1] + (char)(signature[^1] + 1);
        var url = "/files/a/b.bin?" + query
            .Replace("{sig-flipped}", (signature[0] == 'A' ? 'B' : 'A') + signature[1..], StringComparison.Ordinal)
            .Replace("{sig-short}", signature[..^1], StringComparison.Ordinal)
            .Replace("{sig-std}", "%2B" + signature[1..], StringComparison.Ordinal)
            .Replace("{sig-plus}", "+" + signature[1..], StringComparison.Ordinal)
            .Replace("{sig-lowbits}", lowBits, StringComparison.Ordinal)
            .Replace("{sig}", signature, StringComparison.Ordinal);

        var decision = Verifier().Verify(Request(url), Key);

        Assert.False(decision.IsAllowed);
        Assert.Equal(reason, decision.Refusal.ToString());
        Assert.Null(decision.Identity);
    }

    [Fact]
    public void Verify_ParametersInAnyOrderWithUnknownOnes_Allows()
    {
        var url = Signer("new").Mint(Key, Now.AddHours(1), network: "198.51.100.0/24", rateBytesPerSecond: 5000);
        var query = Query(url);
        var shuffled = $"/files/a/b.bin?inline=1&sig={query["sig"]}&rate={query["rate"]}&dl=1&kid=new&ip=198.51.100.0%2F24&exp={query["exp"]}&x=&sig2=junk";

        var decision = Verifier().Verify(Request(shuffled), Key);

        Assert.True(decision.IsAllowed, decision.Refusal.ToString());
        Assert.Equal(5000, decision.Identity!.RatePerDownload);
    }

    [Theory]
    [InlineData("a/b2.bin")]
    [InlineData("a/b.bin/c")]
    [InlineData("a/c")]
    [InlineData("A/b.bin")]
    [InlineData("a/b.bin.")]
    public void Verify_AnotherKey_BadSignature(string otherKey)
    {
        var url = Signer("new").Mint(Key, Now.AddHours(1));

        var decision = Verifier().Verify(Request(url), otherKey);

        Assert.Equal(AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Fact]
    public void Verify_RotatedKeys_OldAndNewLinksBothValid()
    {
        var verifier = Verifier();

        var old = verifier.Verify(Request(Signer("old").Mint(Key, Now.AddHours(1))), Key);
        var current = verifier.Verify(Request(Signer("new").Mint(Key, Now.AddHours(1))), Key);

        Assert.True(old.IsAllowed);
        Assert.Equal("old", old.KeyId);
        Assert.True(current.IsAllowed);
    }

    [Fact]
    public void Verify_KeyRemovedFromConfiguration_UnknownKey()
    {
        var url = Signer("old").Mint(Key, Now.AddHours(1));

        var decision = Verifier(keys: ["new"]).Verify(Request(url), Key);

        Assert.Equal(AccessRefusalReason.UnknownKey, decision.Refusal);
        Assert.Equal("old", decision.KeyId);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void Verify_AroundExp_AllowedUntilAndIncludingExp(int secondsAfterExp, bool allowed)
    {
        var url = Signer("new").Mint(Key, Now.AddSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10 + secondsAfterExp));

        var decision = Verifier().Verify(Request(url), Key);

        Assert.Equal(allowed, decision.IsAllowed);
        Assert.Equal(allowed ? AccessRefusalReason.None : AccessRefusalReason.Expired, decision.Refusal);
    }

    [Fact]
    public void Verify_FarFutureExp_Allows()
    {
        var fields = new SignedLinkFields(long.MaxValue, "new", null, null, false, null);
        var url = $"/files/a/b.bin?exp={long.MaxValue}&kid=new&sig={SignedLink.Sign(NewSecret, fields, Key)}";

        var decision = Verifier().Verify(Request(url), Key);

        Assert.True(decision.IsAllowed);
    }

    [Fact]
    public void Verify_ExpiredWithinGraceAsResume_AllowedOnlyAsResume()
    {
        var url = Signer("new").Mint(Key, Now);
        _time.Advance(TimeSpan.FromHours(23));

        var decision = Verifier().Verify(Request(url, headers: [("Range", "bytes=100-"), ("If-Range", "\"v1\"")]), Key);

        Assert.True(decision.IsAllowed);
        Assert.True(decision.OnlyAsResume);
        Assert.Equal("new", decision.KeyId);
    }

    [Theory]
    [InlineData("GET", "bytes=100-", null)]
    [InlineData("GET", null, "\"v1\"")]
    [InlineData("GET", "bytes=100-", "W/\"v1\"")]
    [InlineData("GET", "bytes=100-", "Tue, 01 Dec 2026 10:00:00 GMT")]
    [InlineData("HEAD", "bytes=100-", "\"v1\"")]
    [InlineData("GET", null, null)]
    public void Verify_ExpiredWithinGraceNotAResume_ExpiredBeforeAnyLookup(string method, string? range, string? ifRange)
    {
        var url = Signer("new").Mint(Key, Now);
        _time.Advance(TimeSpan.FromHours(1));
        var headers = new List<(string, string)>();
        if (range is not null)
        {
            headers.Add(("Range", range));
        }

        if (ifRange is not null)
        {
            headers.Add(("If-Range", ifRange));
        }

        var decision = Verifier().Verify(Request(url, method, headers: [.. headers]), Key);

        Assert.Equal(AccessRefusalReason.Expired, decision.Refusal);
    }

    [Fact]
    public void Verify_ExpiredPastGrace_Expired()
    {
        var url = Signer("new").Mint(Key, Now);
        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        var decision = Verifier().Verify(Request(url, headers: [("Range", "bytes=100-"), ("If-Range", "\"v1\"")]), Key);

        Assert.Equal(AccessRefusalReason.Expired, decision.Refusal);
    }

    [Fact]
    public void Verify_TamperedExpiredLink_BadSignatureNotExpired()
    {
        var url = Signer("new").Mint(Key, Now.AddHours(-1)).Replace("kid=new", "kid=old", StringComparison.Ordinal);

        var decision = Verifier().Verify(Request(url), Key);

        Assert.Equal(AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Theory]
    [InlineData("198.51.100.0/24", "198.51.100.7", true)]
    [InlineData("198.51.100.0/24", "::ffff:198.51.100.7", true)]
    [InlineData("198.51.100.0/24", "198.51.101.7", false)]
    [InlineData("198.51.100.7", "198.51.100.7", true)]
    [InlineData("198.51.100.7/32", "198.51.100.8", false)]
    [InlineData("2001:db8:1::/48", "2001:db8:1:2::5", true)]
    [InlineData("2001:db8:1::/48", "2001:db8:2::5", false)]
    [InlineData("2001:db8:1::/48", "198.51.100.7", false)]
    [InlineData("198.51.100.0/24", "2001:db8:1::5", false)]
    public void Verify_NetworkBound_OnlyFromInside(string network, string client, bool allowed)
    {
        var url = Signer("new").Mint(Key, Now.AddHours(1), network: network);

        var decision = Verifier().Verify(Request(url, client: client), Key);

        Assert.Equal(allowed ? AccessRefusalReason.None : AccessRefusalReason.WrongNetwork, decision.Refusal);
    }

    [Theory]
    [InlineData("files.example.com", true)]
    [InlineData("FILES.example.com", true)]
    [InlineData("files.example.com:443", false)]
    [InlineData("evil.example.com", false)]
    public void Verify_HostBound_OnlyThatHost(string host, bool allowed)
    {
        var url = Signer("new", bindHost: true).Mint(Key, Now.AddHours(1), host: "files.example.com");

        var decision = Verifier(bindHost: true).Verify(Request(url, host: host), Key);

        Assert.Equal(allowed ? AccessRefusalReason.None : AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Fact]
    public void Verify_HostNotBound_AnyHost()
    {
        var url = Signer("new").Mint(Key, Now.AddHours(1));

        var decision = Verifier().Verify(Request(url, host: "elsewhere.example:8080"), Key);

        Assert.True(decision.IsAllowed);
    }

    [Fact]
    public void Verify_HostBoundLinkOnUnboundGateway_BadSignature()
    {
        var url = Signer("new", bindHost: true).Mint(Key, Now.AddHours(1), host: "files.example.com");

        var decision = Verifier().Verify(Request(url), Key);

        Assert.Equal(AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Theory]
    [InlineData("a/", "a/b.bin", true)]
    [InlineData("a/", "a/b/c/d.bin", true)]
    [InlineData("a/b", "a/b/c/d.bin", true)]
    [InlineData("a/", "ab/x", false)]
    [InlineData("a/", "b/a/x", false)]
    [InlineData("a/", "a", false)]
    [InlineData("a/b/", "a/x", false)]
    [InlineData("", "anything/at/all.bin", true)]
    public void Verify_PrefixLink_OpensOnlyKeysUnderItsFolder(string folder, string key, bool allowed)
    {
        var url = Signer("new").Mint(folder, Now.AddHours(1), prefixScope: true);

        var decision = Verifier().Verify(Request(url), key);

        Assert.Equal(allowed ? AccessRefusalReason.None : AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Fact]
    public void Verify_LinkForFile_DoesNotOpenKeysUnderIt()
    {
        var url = Signer("new").Mint("a", Now.AddHours(1));

        var decision = Verifier().Verify(Request(url), "a/b.bin");

        Assert.Equal(AccessRefusalReason.BadSignature, decision.Refusal);
    }

    [Fact]
    public void Verify_PrefixLinkDeeperThanTheBound_Refused()
    {
        var deepest = string.Join('/', Enumerable.Range(0, SignedLink.MaxPrefixDepth - 1).Select(i => $"d{i}"));
        var within = Signer("new").Mint(deepest, Now.AddHours(1), prefixScope: true);
        var fields = new SignedLinkFields(Now.AddHours(1).ToUnixTimeSeconds(), "new", null, null, true, null);
        var tooDeep = $"/files/x?exp={fields.ExpiresAt}&kid=new&scope=prefix&sig={SignedLink.Sign(NewSecret, fields, deepest + "/d31/")}";

        var allowed = Verifier().Verify(Request(within), deepest + "/file.bin");
        var refused = Verifier().Verify(Request(tooDeep), deepest + "/d31/file.bin");

        Assert.True(allowed.IsAllowed);
        Assert.Equal(AccessRefusalReason.BadSignature, refused.Refusal);
        Assert.Throws<ArgumentException>(() => Signer("new").Mint(deepest + "/d31", Now.AddHours(1), prefixScope: true));
    }

    private static LinkSigner Signer(string keyId, bool bindHost = false)
        => new(keyId, keyId == "old" ? OldSecret : NewSecret, bindHost);

    private SignedLinkVerifier Verifier(bool bindHost = false, string[]? keys = null)
    {
        var options = new AccessOptions { BindHost = bindHost };
        foreach (var keyId in keys ?? ["old", "new"])
        {
            options.Keys[keyId] = Convert.ToBase64String(keyId == "old" ? OldSecret : NewSecret);
        }

        return new SignedLinkVerifier(Options.Create(options), _time, NullLogger<SignedLinkVerifier>.Instance);
    }

    private static Dictionary<string, string> Query(string url)
        => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url[url.IndexOf('?', StringComparison.Ordinal)..])
            .ToDictionary(pair => pair.Key, pair => pair.Value.ToString());

    private static HttpRequest Request(string url, string method = "GET", string host = "files.example.com", string client = "198.51.100.7", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var query = url.IndexOf('?', StringComparison.Ordinal);
        context.Request.Method = method;
        context.Request.Path = url[..query];
        context.Request.QueryString = new QueryString(url[query..]);
        context.Request.Host = new HostString(host);
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }
}
