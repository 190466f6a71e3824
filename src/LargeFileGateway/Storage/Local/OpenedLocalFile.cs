using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// A local file held open for one request: the handle whose real path was checked against the root serves every read
/// of the request, so there is one open, one real-path check and one fstat per request (random 64 KiB ranges were
/// spending as much on the second open as on the read; benchmarks/RESULTS.md, "Random ranges").
/// </summary>
internal sealed class OpenedLocalFile(SafeFileHandle handle, FileMetadata metadata) : OpenedFile(metadata)
{
    public override ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<Stream>(new PositionalFileStream(handle, offset));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }
    }
}
