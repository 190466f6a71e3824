using LargeFileGateway.Representations;
using LargeFileGateway.Storage;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Representations;

/// <summary>
/// A stored file's Last-Modified and Content-Disposition values are formatted once per looked-up version and kept
/// with its metadata, which the open-file cache hands to every request for that version.
/// </summary>
public sealed class StoredFileFieldsTests
{
    private static readonly DateTimeOffset s_modified = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Fact]
    public void Fields_AreTheFrameworksFormatting_AndKeptForTheNextRequestOfTheSameVersion()
    {
        var metadata = Metadata("reports/季度报告 2024.zip");
        using var first = Of(metadata);
        using var second = Of(metadata);

        Assert.Equal("Mon, 06 May 2024 07:08:09 GMT", first.LastModifiedField);
        Assert.Equal(HeaderUtilities.FormatDate(s_modified), first.LastModifiedField);
        Assert.Equal(LargeFileGateway.Http.ContentDisposition.Create("季度报告 2024.zip", inline: false), first.ContentDispositionField(inline: false));
        Assert.Equal(LargeFileGateway.Http.ContentDisposition.Create("季度报告 2024.zip", inline: true), first.ContentDispositionField(inline: true));
        Assert.StartsWith("attachment;", first.ContentDispositionField(inline: false), StringComparison.Ordinal);
        Assert.StartsWith("inline;", first.ContentDispositionField(inline: true), StringComparison.Ordinal);

        Assert.Same(first.LastModifiedField, second.LastModifiedField);
        Assert.Same(first.ContentDispositionField(inline: false), second.ContentDispositionField(inline: false));
        Assert.Same(first.ContentDispositionField(inline: true), second.ContentDispositionField(inline: true));
    }

    [Fact]
    public void Fields_OfAnotherVersion_AreItsOwn()
    {
        var old = Metadata("a.txt");
        using var before = Of(old);
        _ = before.LastModifiedField;
        _ = before.ContentDispositionField(inline: false);

        // A copy made with `with` is another version: nothing formatted for the first one comes along.
        var changed = old with { LastModified = s_modified.AddDays(1), ETag = new EntityTagHeaderValue("\"v2\"") };
        using var after = Of(changed);

        Assert.Equal("Tue, 07 May 2024 07:08:09 GMT", after.LastModifiedField);
        Assert.Null(changed.Formatted.Attachment);
        Assert.NotSame(old.Formatted, changed.Formatted);
    }

    [Fact]
    public void Metadata_IsEqualByItsFacts_WhateverHasBeenFormatted()
    {
        var one = Metadata("a.txt");
        var other = Metadata("a.txt");
        using var served = Of(one);
        _ = served.LastModifiedField;
        _ = served.ContentDispositionField(inline: true);

        Assert.Equal(one, other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
        Assert.NotEqual(one, other with { Length = 4 });
        Assert.NotEqual(one, other with { ETag = new EntityTagHeaderValue("\"v2\"") });
    }

    [Fact]
    public void Metadata_WithoutAnETag_ComparesWithoutThrowing()
    {
        var none = new FileMetadata("a.txt", 3, s_modified, null!);

        Assert.Equal(none, new FileMetadata("a.txt", 3, s_modified, null!));
        Assert.NotEqual(none, Metadata("a.txt"));
        Assert.NotEqual(Metadata("a.txt"), none);
        _ = none.GetHashCode();
    }

    private static FileMetadata Metadata(string key) => new(key, 3, s_modified, new EntityTagHeaderValue("\"v1\""));

    private static StoredFile Of(FileMetadata metadata)
        => StoredFile.ThroughProvider(metadata, provider: null!, "text/plain", offloadable: false);
}
