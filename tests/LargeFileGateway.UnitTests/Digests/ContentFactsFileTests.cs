using LargeFileGateway.Digests;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class ContentFactsFileTests
{
    private static readonly FileVersion Version = new("iso/release 1.iso", "\"186a0-8df5022a403f6d8\"");

    private static ContentFacts Facts() => new(new Dictionary<string, byte[]>
    {
        [ContentFacts.Sha256] = Enumerable.Range(0, 32).Select(static i => (byte)i).ToArray(),
        [ContentFacts.Sha512] = Enumerable.Range(0, 64).Select(static i => (byte)(255 - i)).ToArray(),
    }, ContentFactsSource.Sidecar);

    [Fact]
    public void TryParse_WhatFormatWrote_ReadsTheSameVersionAndFacts()
    {
        var text = ContentFactsFile.Format(Version, Facts());

        var parsed = ContentFactsFile.TryParse(text, out var version, out var facts);

        Assert.True(parsed);
        Assert.Equal(Version, version);
        Assert.Equal(ContentFactsSource.Sidecar, facts.Source);
        Assert.Equal(Facts().Get(ContentFacts.Sha256), facts.Get(ContentFacts.Sha256));
        Assert.Equal(Facts().Get(ContentFacts.Sha512), facts.Get(ContentFacts.Sha512));
    }

    [Theory]
    [InlineData("sha-256=000102", "sha-256=ffffff")]
    [InlineData("source=Sidecar", "source=Computed")]
    [InlineData("validator=\"186a0", "validator=\"286a0")]
    [InlineData("LargeFileGateway content facts 1", "LargeFileGateway content facts 2")]
    public void TryParse_ChangedAfterWriting_IsRefused(string original, string replacement)
    {
        var text = ContentFactsFile.Format(Version, Facts()).Replace(original, replacement, StringComparison.Ordinal);

        Assert.False(ContentFactsFile.TryParse(text, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(100)]
    public void TryParse_TornWrite_IsRefused(int keptCharacters)
    {
        var text = ContentFactsFile.Format(Version, Facts());

        Assert.False(ContentFactsFile.TryParse(text[..Math.Min(keptCharacters, text.Length - 1)], out _, out _));
    }

    [Fact]
    public void NameOf_OtherValidator_IsAnotherFile()
    {
        Assert.NotEqual(ContentFactsFile.NameOf(Version), ContentFactsFile.NameOf(Version with { Validator = "\"other\"" }));
        Assert.EndsWith(ContentFactsFile.Extension, ContentFactsFile.NameOf(Version), StringComparison.Ordinal);
    }
}
