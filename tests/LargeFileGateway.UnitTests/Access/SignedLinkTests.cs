using LargeFileGateway.Access;

namespace LargeFileGateway.UnitTests.Access;

/// <summary>The canonical string and its MAC: the vectors other languages check themselves against.</summary>
public sealed class SignedLinkTests
{
    // bytes 0..31, as in README's Python example.
    private static readonly byte[] Secret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    [Fact]
    public void CanonicalString_RequiredOnly_IsTheFiveLines()
    {
        var canonical = SignedLink.CanonicalString(new SignedLinkFields(1700000000, "k1", null, null, false, null), "reports/q3 é.pdf");

        Assert.Equal("LFG-HMAC-SHA256\nGET\nreports/q3 é.pdf\nexp=1700000000\nkid=k1", canonical);
    }

    [Fact]
    public void CanonicalString_EveryOptional_InTheFixedOrderWithHostLowerCase()
    {
        var canonical = SignedLink.CanonicalString(new SignedLinkFields(1700000000, "k1", "203.0.113.0/24", 1048576, true, "Files.Example.COM:8443"), "reports/");

        Assert.Equal("LFG-HMAC-SHA256\nGET\nreports/\nexp=1700000000\nkid=k1\nip=203.0.113.0/24\nrate=1048576\nscope=prefix\nhost=files.example.com:8443", canonical);
    }

    [Theory]
    [InlineData("reports/q3 é.pdf", null, null, false, null, "EmE-3p-gWK_XMUeTiSH0kurN_qeTqZhmaZw6aKKYGig")]
    [InlineData("reports/", "203.0.113.0/24", 1048576L, true, "files.example.com:8443", "vBZo8FdUF8oCP5fKe8KlVfnBqVcWHqzYfZSGWW6pUm4")]
    public void Sign_KnownVector_EqualsPythonHmac(string key, string? network, long? rate, bool prefix, string? host, string expected)
    {
        // The expected values were computed with Python's hmac, hashlib and base64.urlsafe_b64encode (padding stripped).
        var signature = SignedLink.Sign(Secret, new SignedLinkFields(1700000000, "k1", network, rate, prefix, host), key);

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void Sign_LongKey_SameAsShortPathThroughThePool()
    {
        var key = string.Join('/', Enumerable.Repeat(new string('é', 100), 15));
        var fields = new SignedLinkFields(1, "k1", null, null, false, null);

        var signature = SignedLink.Sign(Secret, fields, key);

        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Secret, System.Text.Encoding.UTF8.GetBytes(SignedLink.CanonicalString(fields, key))))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, signature);
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("1700000000", true, 1700000000L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("18446744073709551616", false, 0L)]
    [InlineData("01700000000", false, 0L)]
    [InlineData("+1700000000", false, 0L)]
    [InlineData("-1", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1 ", false, 0L)]
    [InlineData("1e9", false, 0L)]
    [InlineData("0x10", false, 0L)]
    [InlineData("１２", false, 0L)]
    [InlineData("", false, 0L)]
    public void TryParseNumber_OneSpellingOnly(string text, bool valid, long expected)
    {
        var parsed = SignedLink.TryParseNumber(text, out var value);

        Assert.Equal(valid, parsed);
        Assert.Equal(expected, valid ? value : 0);
    }

    [Theory]
    [InlineData("203.0.113.0/24", true)]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.113.7/32", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:DB8::/32", false)]
    [InlineData("2001:0db8::/32", false)]
    [InlineData("203.0.113.1/24", false)]
    [InlineData("203.000.113.0/24", false)]
    [InlineData("3405803776", false)]
    [InlineData("203.113", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", false)]
    [InlineData("203.0.113.0/33", false)]
    [InlineData("", false)]
    public void Network_ParsedAndSpelledCanonically_OnlyInItsOneSpelling(string text, bool valid)
    {
        var accepted = SignedLink.TryParseNetwork(text, out var network) && SignedLink.IsSpelledCanonically(text, network);

        Assert.Equal(valid, accepted);
    }

    [Theory]
    [InlineData("k1", true)]
    [InlineData("2026-01.main_key", true)]
    [InlineData("", false)]
    [InlineData("k 1", false)]
    [InlineData("k/1", false)]
    [InlineData("ключ", false)]
    public void IsValidKeyId_AsDocumented(string keyId, bool valid)
    {
        Assert.Equal(valid, SignedLink.IsValidKeyId(keyId));
    }

    [Fact]
    public void IsValidKeyId_SixtyFiveCharacters_Refused()
    {
        Assert.True(SignedLink.IsValidKeyId(new string('k', 64)));
        Assert.False(SignedLink.IsValidKeyId(new string('k', 65)));
    }
}
