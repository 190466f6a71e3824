using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// The local provider on its own, on a real folder, asked with keys that never passed through StorageKey: it must
/// hold the line by itself (a plain relative key, then the kernel's answer for where the opened file really is).
/// </summary>
public sealed class LocalProviderKeyTests : IDisposable
{
    private readonly TempFolder _outer = new("localkeys");
    private readonly LocalFileStorageProvider _provider;

    public LocalProviderKeyTests()
    {
        Directory.CreateDirectory(_outer.Combine("root", "dir"));
        Directory.CreateDirectory(_outer.Combine("root", ".git"));
        File.WriteAllText(_outer.Combine("root", "dir", "file.txt"), "inside");
        File.WriteAllText(_outer.Combine("root", ".env"), "secret");
        File.WriteAllText(_outer.Combine("root", ".git", "config"), "secret");
        File.WriteAllText(_outer.Combine("outside.txt"), "secret");
        File.CreateSymbolicLink(_outer.Combine("root", "escape.txt"), _outer.Combine("outside.txt"));
        File.CreateSymbolicLink(_outer.Combine("root", "to-dotfile.txt"), _outer.Combine("root", ".env"));
        _provider = new LocalFileStorageProvider(_outer.Combine("root"));
    }

    public void Dispose() => _outer.Dispose();

    [Fact]
    public async Task PlainKey_IsServed()
    {
        using var opened = await _provider.OpenAsync("dir/file.txt", CancellationToken.None);

        Assert.NotNull(opened);
        Assert.Equal(6, opened.Metadata.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("dir")]
    [InlineData("dir/")]
    [InlineData("/dir/file.txt")]
    [InlineData("dir//file.txt")]
    [InlineData("./dir/file.txt")]
    [InlineData("dir/../dir/file.txt")]
    [InlineData("../outside.txt")]
    [InlineData("dir/../../outside.txt")]
    [InlineData(".env")]
    [InlineData(".git/config")]
    [InlineData("dir\\..\\..\\outside.txt")]
    [InlineData("dir/file.txt\0.jpg")]
    [InlineData("escape.txt")]
    [InlineData("to-dotfile.txt")]
    [InlineData("missing.txt")]
    public async Task KeyThatIsNotAPlainFileInsideTheRoot_IsNotFound(string key)
    {
        using var opened = await _provider.OpenAsync(key, CancellationToken.None);
        var metadata = await _provider.GetMetadataAsync(key, CancellationToken.None);

        Assert.Null(opened);
        Assert.Null(metadata);
    }
}
