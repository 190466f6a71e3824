namespace LargeFileGateway.AccessLog;

/// <summary>
/// The access-log file with size-based rotation: before a line would take the file past its limit, the file
/// becomes <c>Path.1</c>, <c>Path.1</c> becomes <c>Path.2</c> and so on, the oldest past the count kept is deleted,
/// and a new file is started. Log tools that follow by name (<c>tail -F</c>, Vector, Fluent Bit) pick up the new file.
/// </summary>
internal sealed class AccessLogFile : Stream
{
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private FileStream _file;

    /// <param name="path">The current file; rotated ones get ".1", ".2"… appended.</param>
    /// <param name="maxBytes">Size at which the file is rotated.</param>
    /// <param name="maxFiles">Rotated files kept besides the current one.</param>
    public AccessLogFile(string path, long maxBytes, int maxFiles)
    {
        _path = Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _file = OpenCurrent();
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_file.Position > 0 && _file.Position + buffer.Length > _maxBytes)
        {
            Rotate();
        }

        _file.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Rotate()
    {
        _file.Dispose();
        if (_maxFiles == 0)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete($"{_path}.{_maxFiles}");
            for (var i = _maxFiles - 1; i >= 1; i--)
            {
                var older = $"{_path}.{i}";
                if (File.Exists(older))
                {
                    File.Move(older, $"{_path}.{i + 1}");
                }
            }

            File.Move(_path, _path + ".1");
        }

        _file = OpenCurrent();
    }

    // Append, shared for reading so that log shippers can follow it; 64 KiB buffer, flushed after each batch.
    private FileStream OpenCurrent() => new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
}
