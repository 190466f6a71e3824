using LargeFileGateway.Listing;
using LargeFileGateway.Storage;

namespace LargeFileGateway.UnitTests.Listing;

public sealed class ListingSortTests
{
    private static readonly DateTimeOffset T = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ListingRow[] Rows =
    [
        Row("b.bin", 300, T.AddDays(1)),
        Row("a.txt", 10, T.AddDays(3)),
        Row("z", 0, T, folder: true),
        Row("c.txt", 10, T.AddDays(2)),
        Row("d", 0, T.AddDays(9), folder: true),
    ];

    [Theory]
    [InlineData(null, null, "d/ z/ a.txt b.bin c.txt")]
    [InlineData("name", "desc", "z/ d/ c.txt b.bin a.txt")]
    [InlineData("size", "asc", "d/ z/ a.txt c.txt b.bin")]
    [InlineData("size", "desc", "d/ z/ b.bin a.txt c.txt")]
    [InlineData("modified", "asc", "z/ d/ b.bin c.txt a.txt")]
    [InlineData("modified", "desc", "d/ z/ a.txt c.txt b.bin")]
    public void Apply_FoldersFirst_TiesInNameOrder(string? sort, string? order, string expected)
    {
        Assert.True(ListingSort.TryParse(sort, order, out var parsed));

        var names = string.Join(' ', parsed.Apply(Rows).Select(row => row.Entry.IsFolder ? row.Entry.Name + "/" : row.Entry.Name));

        Assert.Equal(expected, names);
    }

    [Theory]
    [InlineData("owner", null)]
    [InlineData("Name", null)]
    [InlineData("name", "up")]
    [InlineData("size", "DESC")]
    public void TryParse_UndocumentedValue_IsFalse(string? sort, string? order)
    {
        Assert.False(ListingSort.TryParse(sort, order, out _));
    }

    private static ListingRow Row(string name, long length, DateTimeOffset modified, bool folder = false)
        => new(new FolderEntry(folder ? name + "/" : name, name, folder, length, modified, ETag: null), Sha256: null);
}
