using System.Globalization;
using System.Text;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.UnitTests.Storage.Local;

/// <summary>The open-file cache's check that a descriptor is still where it was checked to be (CachedOpenFile).</summary>
public sealed class LibcDescriptorLinkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("libc-link-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DescriptorLinkReads_TheFilesRealPath_IsTrue_AndAnyOtherPathIsFalse()
    {
        var path = Path.Combine(_folder, "a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        using var handle = File.OpenHandle(path);
        var name = NameOf(handle.DangerousGetHandle());

        Assert.True(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(path)));
        Assert.False(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(path + "x")));
        Assert.False(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(path[..^1])));
        Assert.False(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(Path.Combine(_folder, "b.bin"))));

        // Read relative to /proc/self/fd, which stays open for the process (not the fallback through the whole path).
        var links = Directory.GetFileSystemEntries("/proc/self/fd").Select(entry => new FileInfo(entry).LinkTarget);
        Assert.Contains($"/proc/{Environment.ProcessId}/fd", links);
    }

    [Fact]
    public void DescriptorLinkReads_AfterTheFileWasMovedAway_IsFalseForThePathItWasCheckedAt()
    {
        var path = Path.Combine(_folder, "a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        using var handle = File.OpenHandle(path);
        var name = NameOf(handle.DangerousGetHandle());
        var moved = Path.Combine(_folder, "elsewhere.bin");

        File.Move(path, moved);

        Assert.False(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(path)));
        Assert.True(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(moved)));
    }

    [Fact]
    public void DescriptorLinkReads_OfADescriptorNotOpen_IsFalse()
    {
        var path = Path.Combine(_folder, "a.bin");
        File.WriteAllBytes(path, [1]);
        var handle = File.OpenHandle(path);
        var name = NameOf(handle.DangerousGetHandle());
        handle.Dispose();

        // The number may be reused by another thread's open meanwhile; it then names another file, never this path.
        Assert.False(Libc.DescriptorLinkReads(name, Encoding.UTF8.GetBytes(path)));
    }

    private static byte[] NameOf(nint descriptor)
        => Encoding.UTF8.GetBytes(descriptor.ToString(CultureInfo.InvariantCulture) + "\0");
}
