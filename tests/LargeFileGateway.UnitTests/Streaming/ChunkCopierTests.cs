using System.IO.Pipelines;
using LargeFileGateway.Http;
using LargeFileGateway.Storage;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.UnitTests.Streaming;

public sealed class ChunkCopierTests
{
    private const int ChunkSize = 4096;

    [Fact]
    public async Task CopyAsync_ReadFailsMidChunk_ReopensAtExactOffsetAndDeliversEveryByteOnce()
    {
        var content = Seeded(10 * ChunkSize + 123);
        var representation = new ScriptedRepresentation(content).FailAfter(open: 1, bytes: 3 * ChunkSize).FailAfter(open: 2, bytes: ChunkSize + 17);
        var copier = new ChunkCopier(ChunkSize, maxResumes: 2);
        var progress = new BodyProgress();

        var (copied, body) = await CopyAsync(copier, representation, new ByteRange(100, content.Length - 1), progress);

        Assert.Equal(content.Length - 100, copied);
        Assert.Equal(content[100..], body);
        Assert.Equal(copied, progress.BytesWritten);
        // The second open starts after the 3 chunks of the first; the third after one chunk and a short read of 17
        // bytes more (a short read is written as it is). The read that fails writes nothing, so no byte is skipped
        // or sent twice.
        const long third = 100 + (4 * ChunkSize) + 17;
        Assert.Equal([(100L, content.Length - 100L), (100L + 3 * ChunkSize, content.Length - 100L - 3 * ChunkSize), (third, content.Length - third)], representation.Opens);
    }

    [Fact]
    public async Task CopyAsync_StorageEndsBeforeTheRange_ThrowsObjectChangedAfterCountingWhatWasWritten()
    {
        var content = Seeded(8 * ChunkSize);
        var representation = new ScriptedRepresentation(content).EndAfter(open: 1, bytes: 2 * ChunkSize);
        var copier = new ChunkCopier(ChunkSize, maxResumes: 5);
        var progress = new BodyProgress();

        await Assert.ThrowsAsync<StorageObjectChangedException>(() => CopyAsync(copier, representation, new ByteRange(0, content.Length - 1), progress));

        Assert.Equal(2 * ChunkSize, progress.BytesWritten);
        Assert.Single(representation.Opens);
    }

    [Fact]
    public async Task CopyAsync_FailuresBeyondTheResumeBudget_ThrowsStorageUnavailable()
    {
        var content = Seeded(8 * ChunkSize);
        var representation = new ScriptedRepresentation(content).FailAfter(1, ChunkSize).FailAfter(2, ChunkSize).FailAfter(3, ChunkSize);
        var copier = new ChunkCopier(ChunkSize, maxResumes: 2);
        var progress = new BodyProgress();

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => CopyAsync(copier, representation, new ByteRange(0, content.Length - 1), progress));

        Assert.IsType<IOException>(failure.InnerException);
        Assert.Equal(3, representation.Opens.Count);
        Assert.Equal(3 * ChunkSize, progress.BytesWritten);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task CopyAsync_ReadTimedOutOrInstanceOverloaded_IsNotResumedAndKeepsWhatItWas(bool timeout, bool overloaded)
    {
        var content = Seeded(4 * ChunkSize);
        var failure = new StorageUnavailableException("scripted") { IsTimeout = timeout, IsInstanceOverloaded = overloaded };
        var representation = new ScriptedRepresentation(content).ThrowAfter(1, ChunkSize, failure);
        var copier = new ChunkCopier(ChunkSize, maxResumes: 5);

        var thrown = await Assert.ThrowsAsync<StorageUnavailableException>(() => CopyAsync(copier, representation, new ByteRange(0, content.Length - 1), new BodyProgress()));

        Assert.Same(failure, thrown);
        Assert.Single(representation.Opens);
    }

    [Fact]
    public async Task CopyAsync_NoResumeBudget_FirstFailureIsFinal()
    {
        var content = Seeded(4 * ChunkSize);
        var representation = new ScriptedRepresentation(content).FailAfter(1, 10);
        var copier = new ChunkCopier(ChunkSize, maxResumes: 0);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => CopyAsync(copier, representation, new ByteRange(0, content.Length - 1), new BodyProgress()));

        Assert.Single(representation.Opens);
    }

    [Fact]
    public async Task CopyAsync_ReaderCompletes_StopsAndReportsFewerBytes()
    {
        var content = Seeded(64 * ChunkSize);
        var copier = new ChunkCopier(ChunkSize);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 2 * ChunkSize, resumeWriterThreshold: ChunkSize));
        var progress = new BodyProgress();
        var copy = copier.CopyAsync(new ScriptedRepresentation(content), new ByteRange(0, content.Length - 1), pipe.Writer, progress, CancellationToken.None);

        var first = await pipe.Reader.ReadAsync();
        await pipe.Reader.CompleteAsync();
        var copied = await copy;

        Assert.True(first.Buffer.Length > 0);
        Assert.True(copied < content.Length, $"copied {copied}");
        Assert.Equal(copied, progress.BytesWritten);
    }

    [Theory]
    [InlineData(16 * 1024, 16 * 1024)]
    [InlineData(null, 64 * 1024)]
    public async Task CopyAsync_NewDownload_ChunksAreTheSlowClientSize(int? slowClientChunk, int expectedChunk)
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * Chunk);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: slowClientChunk);

        var chunks = await ChunkLengthsAsync(copier, content, new ByteRange(0, content.Length - 1));

        Assert.All(chunks, length => Assert.Equal(expectedChunk, length));
        Assert.Equal(content.Length, chunks.Sum());
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(40 * 1024)]
    public async Task CopyAsync_RangeOfOneChunkOrLess_IsReadWhole(int length)
    {
        var content = Seeded(1024 * 1024);
        var copier = new ChunkCopier(64 * 1024, slowClientChunkSizeBytes: 16 * 1024);

        var chunks = await ChunkLengthsAsync(copier, content, new ByteRange(100_000, 100_000 + length - 1));

        Assert.Equal([length], chunks);
    }

    [Fact]
    public async Task CopyAsync_ReaderTakesEverythingAtOnce_GetsFullChunksAfterTheFirstWindow()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 16 * 1024);

        var chunks = await ChunkLengthsAsync(copier, content, new ByteRange(0, content.Length - 1));

        // In memory, 8 MiB takes far less than the half-second window: full chunks from then on.
        Assert.Equal(16 * 1024, chunks[0]);
        Assert.Contains(Chunk, chunks);
        Assert.True(chunks.Take(ClientPaceWindowChunks(16 * 1024)).All(length => length == 16 * 1024));
        Assert.Equal(content.Length, chunks.Sum());
    }

    [Fact]
    public async Task CopyAsync_PaceOfAnEarlierFastCopy_NextRangeGetsFullChunksAtOnce()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(16 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024);
        var pace = new ClientPace();

        // The first range (a keep-alive client's first request) shows the client is fast; the next one goes on from it.
        await ChunkLengthsAsync(copier, content, new ByteRange(0, 9 * 1024 * 1024 - 1), pace);
        var next = await ChunkLengthsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1), pace);
        var fresh = await ChunkLengthsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1));

        Assert.True(pace.IsFast);
        Assert.All(next, length => Assert.Equal(Chunk, length));
        Assert.All(fresh, length => Assert.Equal(8 * 1024, length));
    }

    [Fact]
    public async Task CopyAsync_FastClient_ReadsFullChunksStraightIntoTheResponseAndSlowOnesThroughARentedBuffer()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(12 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024);
        var pace = new ClientPace();
        await ChunkLengthsAsync(copier, content, new ByteRange(0, 9 * 1024 * 1024 - 1), pace);
        Assert.True(pace.IsFast);

        var fast = await SizeHintsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1), pace);
        var slow = await SizeHintsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1), new ClientPace());

        // Fast: one GetMemory of a whole chunk per chunk (the pipe's own memory, read into once). Slow: the chunk is
        // copied in with Write, which asks for no size, so the pipe keeps handing out its small pool blocks.
        Assert.Equal(Enumerable.Repeat(Chunk, 1024 * 1024 / Chunk), fast);
        Assert.Empty(slow);
    }

    [Fact]
    public async Task CopyAsync_FastClientWithBudget_GathersChunksPerFlushAndGivesTheBudgetBack()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(16 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var pace = FastPace();

        // The pace is far above the 256 MiB/s that fills 1 MiB in 4 ms: every flush but the last of the range is the
        // whole 1 MiB, the last what is left.
        var flushes = await ChunkLengthsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 10 * 1024 * 1024 + 3 * 1024 * 1024 + 1000 - 1), pace);

        Assert.Equal([1024 * 1024, 1024 * 1024, 1024 * 1024, 1000], flushes);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_FastClientGathering_ReadsEachFlushIntoOneSegmentOfItsSize()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(12 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: new FlushBudget(64 * 1024 * 1024));
        var pace = FastPace();

        var hints = await SizeHintsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1), pace);

        // One GetMemory of the whole flush, read into with one read: the socket gets one buffer, and the array the
        // pipe rents for it is the flush's size (a power of two), with no tail for the next chunk to keep it alive.
        Assert.Equal([1024 * 1024], hints);
    }

    [Theory]
    [InlineData(100 * 1024)] // less than the smallest flush that gathers (two chunks)
    [InlineData(0)]
    public async Task CopyAsync_BudgetTooSmallForAFlush_FlushesEveryChunk(int budgetBytes)
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(12 * 1024 * 1024);
        var budget = new FlushBudget(budgetBytes);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var pace = FastPace();

        var flushes = await ChunkLengthsAsync(copier, content, new ByteRange(10 * 1024 * 1024, 11 * 1024 * 1024 - 1), pace);

        Assert.True(pace.IsFast);
        Assert.All(flushes, length => Assert.Equal(Chunk, length));
        Assert.Equal(budgetBytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_NewDownloadWithBudget_GathersNothingUntilTheClientIsFast()
    {
        var content = Seeded(4 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(64 * 1024, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);

        var flushes = await ChunkLengthsAsync(copier, content, new ByteRange(0, content.Length - 1));

        Assert.All(flushes, length => Assert.Equal(8 * 1024, length));
    }

    [Theory]
    [InlineData(5 * 64 * 1024 + 100)] // inside the first flush
    [InlineData(1024 * 1024)] // the first read of the second flush, which had taken its share already
    [InlineData(0)] // the first read of all
    public async Task CopyAsync_ReadFailsInsideAGatheredFlush_ResumesAtTheExactOffsetAndGivesTheBudgetBack(int failAfter)
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, maxResumes: 2, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var pace = FastPace();
        var representation = new ScriptedRepresentation(content).FailAfter(open: 1, bytes: failAfter);

        var pipe = new Pipe();
        var reading = ReadAllAsync(pipe.Reader);
        var copied = await copier.CopyAsync(representation, new ByteRange(0, content.Length - 1), pipe.Writer, new BodyProgress(), CancellationToken.None, pace: pace);
        await pipe.Writer.CompleteAsync();

        Assert.Equal(content.Length, copied);
        Assert.Equal(content, await reading);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_ReadFailsInsideAGatheredFlushWithoutResumes_ThrowsAndGivesTheBudgetBack()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, maxResumes: 0, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var pace = FastPace();
        var representation = new ScriptedRepresentation(content).FailAfter(open: 1, bytes: 5 * Chunk + 100);
        var progress = new BodyProgress();

        var pipe = new Pipe();
        var reading = ReadAllAsync(pipe.Reader);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => copier.CopyAsync(representation, new ByteRange(0, content.Length - 1), pipe.Writer, progress, CancellationToken.None, pace: pace));
        await pipe.Writer.CompleteAsync();

        // What was read before the failure was written and counted (the caller aborts the connection: the body is
        // never taken for a whole one); nothing after it.
        var body = await reading;
        Assert.Equal(5 * Chunk + 100, body.Length);
        Assert.Equal(content[..body.Length], body);
        Assert.Equal(5 * Chunk + 100, progress.BytesWritten);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_ClientGoneDuringAGatheredFlush_StopsAndGivesTheBudgetBack()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(8 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var pace = FastPace();

        // The reader takes one flush, then leaves while the next one waits on it.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var copy = copier.CopyAsync(new ScriptedRepresentation(content), new ByteRange(0, content.Length - 1), pipe.Writer, new BodyProgress(), CancellationToken.None, pace: pace);
        var first = await pipe.Reader.ReadAsync();
        var firstLength = first.Buffer.Length;
        pipe.Reader.AdvanceTo(first.Buffer.End);
        var second = await pipe.Reader.ReadAsync();
        Assert.True(budget.Available < budget.Bytes, "the waiting flush holds its share");
        pipe.Reader.AdvanceTo(second.Buffer.Start);
        await pipe.Reader.CompleteAsync();
        var copied = await copy;

        Assert.Equal(1024 * 1024, firstLength);
        Assert.Equal(2 * 1024 * 1024, copied);
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_StorageGivesShortReads_AGatheredFlushFillsItsOneSegment()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);
        var representation = new ScriptedRepresentation(content).ShortReads(16 * 1024 + 7);

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var writer = new SizeHintRecorder(pipe.Writer);
        var copy = copier.CopyAsync(representation, new ByteRange(0, content.Length - 1), writer, new BodyProgress(), CancellationToken.None, pace: FastPace());
        var flushes = new List<int>();
        using var body = new MemoryStream();
        while (body.Length < content.Length)
        {
            var result = await pipe.Reader.ReadAsync();
            flushes.Add((int)result.Buffer.Length);
            foreach (var segment in result.Buffer)
            {
                body.Write(segment.Span);
            }

            pipe.Reader.AdvanceTo(result.Buffer.End);
        }

        await pipe.Reader.CompleteAsync();
        Assert.Equal(content.Length, await copy);

        // Each read wrote into what was left of the flush's segment: the first hint of each flush is the whole 1 MiB,
        // the rest ask for no more than what is left of it, so no flush holds more memory than its share.
        Assert.Equal(content, body.ToArray());
        Assert.Equal([1024 * 1024, 1024 * 1024, 1024 * 1024, 1024 * 1024], flushes);
        Assert.Equal(4, writer.LargeHints.Count(hint => hint == 1024 * 1024));
        Assert.All(writer.LargeHints, hint => Assert.True(hint <= 1024 * 1024));
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_ThrottledOrUnderAnIdleWriteDeadline_FlushesEveryChunk()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(2 * 1024 * 1024);
        var budget = new FlushBudget(64 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: budget);

        using var deadline = new IdleWriteDeadline(TimeSpan.FromMinutes(1), CancellationToken.None);
        var underDeadline = await FlushLengthsAsync(copier, content, idleWrite: deadline);
        using var throttle = new LargeFileGateway.Limits.DownloadThrottle(1L << 30, 0, null, 0, string.Empty);
        var throttled = await FlushLengthsAsync(copier, content, throttle: throttle);

        Assert.All(underDeadline, length => Assert.Equal(Chunk, length));
        Assert.All(throttled, length => Assert.True(length <= Chunk, $"a flush of {length}"));
        Assert.Equal(budget.Bytes, budget.Available);
    }

    [Fact]
    public async Task CopyAsync_FirstFlushOfAnUnstartedResponse_IsOneChunkEvenForAFastClient()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(2 * 1024 * 1024);
        var copier = new ChunkCopier(Chunk, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024, flushBudget: new FlushBudget(64 * 1024 * 1024));
        var response = new StartRecorder();

        var flushes = await FlushLengthsAsync(copier, content, response: response.Context.Response);

        // The first byte does not wait for a whole gathered flush; the ones after it gather.
        Assert.Equal(Chunk, flushes[0]);
        Assert.Equal(1024 * 1024, flushes[1]);
    }

    /// <summary>The length of each flush of a whole copy for a fast client, read by a reader that takes every flush at once.</summary>
    private static async Task<List<int>> FlushLengthsAsync(ChunkCopier copier, byte[] content, IdleWriteDeadline? idleWrite = null, LargeFileGateway.Limits.DownloadThrottle? throttle = null,
        HttpResponse? response = null)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var copy = copier.CopyAsync(new ScriptedRepresentation(content), new ByteRange(0, content.Length - 1), pipe.Writer, new BodyProgress(), CancellationToken.None,
            throttle: throttle, idleWrite: idleWrite, pace: FastPace(), response: response);
        var lengths = new List<int>();
        while (lengths.Sum() < content.Length)
        {
            var result = await pipe.Reader.ReadAsync();
            lengths.Add((int)result.Buffer.Length);
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }

        await pipe.Reader.CompleteAsync();
        Assert.Equal(content.Length, await copy);
        return lengths;
    }

    [Theory]
    [InlineData(50L * 1024 * 1024, long.MaxValue, 128 * 1024)] // 200 KiB in 4 ms: the power of two below, in whole chunks
    [InlineData(10L * 1024 * 1024, long.MaxValue, 0)] // 40 KiB in 4 ms: less than a chunk
    [InlineData(2L * 1024 * 1024 * 1024, long.MaxValue, 1024 * 1024)] // the most allowed
    [InlineData(2L * 1024 * 1024 * 1024, 300 * 1024, 256 * 1024)] // what is left of the range
    public void FastFlushBytes_FollowsThePaceInPowersOfTwoUpToTheMostAllowed(long bytesPerSecond, long remaining, int expected)
    {
        var copier = new ChunkCopier(64 * 1024, slowClientChunkSizeBytes: 8 * 1024, fastClientFlushBytes: 1024 * 1024 + 1000, flushBudget: new FlushBudget(1 << 30));

        Assert.Equal(expected, copier.FastFlushBytes(bytesPerSecond, remaining));
    }

    /// <summary>
    /// A pace that has just taken a window's bytes within a tick: fast, and at a rate whose 4 ms fill the most a flush
    /// may gather. Made from timestamps, not by a copy, so that a busy machine cannot make the client look slow.
    /// </summary>
    private static ClientPace FastPace()
    {
        var pace = new ClientPace();
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        pace.Resume(now);
        pace.Taken((int)ClientPace.WindowBytes, now + 1);
        Assert.True(pace.IsFast);
        return pace;
    }

    [Fact]
    public async Task CopyAsync_OneChunkRangeOfAnUnstartedResponse_StartsItAfterTheReadAndWritesTheChunkAsOneSegment()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * Chunk);
        var range = new ByteRange(1000, 1000 + Chunk - 1);
        var response = new StartRecorder();
        var pipe = new Pipe();
        var writer = new SizeHintRecorder(pipe.Writer);
        var reading = ReadAllAsync(pipe.Reader);

        var copied = await new ChunkCopier(Chunk).CopyAsync(new ScriptedRepresentation(content), range, writer, new BodyProgress(), CancellationToken.None, response: response.Context.Response);
        await writer.CompleteAsync();

        // Started by the copy, so that the chunk went into the response pipe's own memory: one GetMemory of its length,
        // not Kestrel's buffer for bytes written before the headers (copied again, 4 KiB at a time, once they are).
        Assert.Equal(Chunk, copied);
        Assert.Equal(1, response.Starts);
        Assert.Equal([Chunk], writer.LargeHints);
        Assert.Equal(content[1000..(1000 + Chunk)], await reading);
    }

    [Fact]
    public async Task CopyAsync_OneChunkRangeWhoseReadFails_LeavesTheResponseUnstarted()
    {
        const int Chunk = 64 * 1024;
        var content = Seeded(4 * Chunk);
        var representation = new ScriptedRepresentation(content).ThrowAfter(open: 1, bytes: 0, new IOException("the disk went away"));
        var response = new StartRecorder();
        var pipe = new Pipe();

        await Assert.ThrowsAsync<StorageUnavailableException>(() => new ChunkCopier(Chunk).CopyAsync(
            representation, new ByteRange(0, Chunk - 1), pipe.Writer, new BodyProgress(), CancellationToken.None, response: response.Context.Response));

        // Nothing is started before the bytes are there: the handler can still answer 503, or look the object up again.
        Assert.Equal(0, response.Starts);
        Assert.False(response.Context.Response.HasStarted);
    }

    /// <summary>A response whose start is counted (what Kestrel's features do when the headers are written).</summary>
    private sealed class StartRecorder : IHttpResponseFeature, IHttpResponseBodyFeature
    {
        public StartRecorder()
        {
            Context.Features.Set<IHttpResponseFeature>(this);
            Context.Features.Set<IHttpResponseBodyFeature>(this);
        }

        public DefaultHttpContext Context { get; } = new();

        public int Starts { get; private set; }

        public int StatusCode { get; set; } = 200;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        public Stream Body { get; set; } = Stream.Null;

        public bool HasStarted => Starts > 0;

        public Stream Stream => Stream.Null;

        public PipeWriter Writer => throw new NotSupportedException("The copy writes to the writer it is given.");

        public void OnStarting(Func<object, Task> callback, object state)
        {
        }

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default)
        {
            Starts++;
            return Task.CompletedTask;
        }

        public void DisableBuffering()
        {
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteAsync() => Task.CompletedTask;
    }

    /// <summary>The size hints above 4 KiB that one copy passed to GetMemory or GetSpan of the writer.</summary>
    private static async Task<List<int>> SizeHintsAsync(ChunkCopier copier, byte[] content, ByteRange range, ClientPace pace)
    {
        var pipe = new Pipe();
        var writer = new SizeHintRecorder(pipe.Writer);
        var reading = ReadAllAsync(pipe.Reader);
        Assert.Equal(range.Length, await copier.CopyAsync(new ScriptedRepresentation(content), range, writer, new BodyProgress(), CancellationToken.None, pace: pace));
        await writer.CompleteAsync();
        Assert.Equal(content[(int)range.First..(int)(range.Last + 1)], await reading);
        return writer.LargeHints;
    }

    private sealed class SizeHintRecorder(PipeWriter inner) : PipeWriter
    {
        public List<int> LargeHints { get; } = [];

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            Record(sizeHint);
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            Record(sizeHint);
            return inner.GetSpan(sizeHint);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        private void Record(int sizeHint)
        {
            if (sizeHint > 4096)
            {
                LargeHints.Add(sizeHint);
            }
        }
    }

    private static int ClientPaceWindowChunks(int slowChunk) => (int)(ClientPace.WindowBytes / slowChunk);

    /// <summary>The length of each flush of one copy, read by a reader that takes every flush at once.</summary>
    private static async Task<List<int>> ChunkLengthsAsync(ChunkCopier copier, byte[] content, ByteRange range, ClientPace? pace = null)
    {
        // Every flush waits until the reader has taken everything: one read per chunk.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var copy = copier.CopyAsync(new ScriptedRepresentation(content), range, pipe.Writer, new BodyProgress(), CancellationToken.None, pace: pace);
        var lengths = new List<int>();
        while (lengths.Sum() < range.Length)
        {
            var result = await pipe.Reader.ReadAsync();
            lengths.Add((int)result.Buffer.Length);
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }

        await pipe.Reader.CompleteAsync();
        Assert.Equal(range.Length, await copy);
        return lengths;
    }

    private static async Task<(long Copied, byte[] Body)> CopyAsync(ChunkCopier copier, ScriptedRepresentation representation, ByteRange range, BodyProgress progress)
    {
        var pipe = new Pipe();
        var reading = ReadAllAsync(pipe.Reader);
        try
        {
            var copied = await copier.CopyAsync(representation, range, pipe.Writer, progress, CancellationToken.None);
            await pipe.Writer.CompleteAsync();
            return (copied, await reading);
        }
        catch (Exception ex)
        {
            await pipe.Writer.CompleteAsync(ex);
            await Assert.ThrowsAnyAsync<Exception>(() => reading);
            throw;
        }
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        using var body = new MemoryStream();
        await reader.CopyToAsync(body);
        await reader.CompleteAsync();
        return body.ToArray();
    }

    private static byte[] Seeded(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
