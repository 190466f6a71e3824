namespace LargeFileGateway.Benchmarks.Streaming;

/// <summary>
/// A temporary folder of sparse files (holes read back as zeros from the page cache, so a 4 GiB file costs no
/// disk and no time to create), deleted on dispose.
/// </summary>
internal sealed class SparseFileSet : IDisposable
{
    public SparseFileSet()
    {
        Root = Path.Combine(Path.GetTempPath(), "lfg-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Creates <c>sparse-{length}.bin</c> of <paramref name="length"/> bytes and returns its key.</summary>
    public string Create(long length)
    {
        var key = $"sparse-{length}.bin";
        using var stream = new FileStream(Path.Combine(Root, key), FileMode.Create, FileAccess.Write);
        stream.SetLength(length);
        return key;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
