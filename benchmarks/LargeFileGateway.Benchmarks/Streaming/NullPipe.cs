using System.IO.Pipelines;

namespace LargeFileGateway.Benchmarks.Streaming;

/// <summary>
/// A <see cref="Pipe"/> whose reader consumes everything on another task, like Kestrel's socket sender: the writer
/// sees real back-pressure at the same 64 KiB pause threshold as Kestrel's default MaxResponseBufferSize.
/// </summary>
internal sealed class NullPipe : IAsyncDisposable
{
    private readonly Pipe _pipe;
    private readonly Task<long> _drain;

    public NullPipe(long pauseWriterThresholdBytes = 64 * 1024)
    {
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: pauseWriterThresholdBytes, resumeWriterThreshold: pauseWriterThresholdBytes / 2, useSynchronizationContext: false));
        _drain = Task.Run(DrainAsync);
    }

    public PipeWriter Writer => _pipe.Writer;

    /// <summary>Completes the writer and returns how many bytes the reader consumed.</summary>
    public async Task<long> CompleteAsync()
    {
        await _pipe.Writer.CompleteAsync();
        return await _drain;
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.Writer.CompleteAsync();
        await _drain;
    }

    private async Task<long> DrainAsync()
    {
        long consumed = 0;
        while (true)
        {
            var result = await _pipe.Reader.ReadAsync();
            consumed += result.Buffer.Length;
            _pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await _pipe.Reader.CompleteAsync();
                return consumed;
            }
        }
    }
}
