using LargeFileGateway.Archives;
using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Archives;

public sealed class SharedWalksTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task OverlappingRequests_SameFolderAndScope_WalkOnceAndShareTheLayoutUntilTheLastEnds()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var counter = new WalkCounter();

        var first = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        var second = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);

        Assert.Equal(1, counter.Walks);
        Assert.Same(first.Walk.Layout, second.Walk.Layout);
        first.Dispose();
        first.Dispose();
        Assert.Equal(1, walks.InUse);
        Assert.Equal(1, second.Walk.Layout!.Count);
        second.Dispose();
        Assert.Equal(0, walks.InUse);
        Assert.Throws<ObjectDisposedException>(() => second.Walk.Layout!.Member(0));
    }

    [Fact]
    public async Task ConcurrentRequests_WhileTheWalkRuns_JoinIt()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var counter = new WalkCounter { Gate = new TaskCompletionSource() };

        var first = walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None).AsTask();
        var others = Enumerable.Range(0, 15).Select(_ => walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None).AsTask()).ToArray();
        counter.Gate.SetResult();
        var leases = await Task.WhenAll([first, .. others]);

        Assert.Equal(1, counter.Walks);
        Assert.All(leases, lease => Assert.Same(leases[0].Walk.Layout, lease.Walk.Layout));
        Array.ForEach(leases, lease => lease.Dispose());
        Assert.Equal(0, walks.InUse);
    }

    [Fact]
    public async Task WholeArchiveRequest_ProtectedAccess_OtherFolder_OrPastShareWalkFor_WalkAgain()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var counter = new WalkCounter();

        using var held = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        using (await walks.AcquireAsync("d/", share: true, mayJoin: false, counter.WalkAsync, CancellationToken.None))
        using (await walks.AcquireAsync("d/", share: false, mayJoin: true, counter.WalkAsync, CancellationToken.None))
        using (await walks.AcquireAsync("e/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None))
        {
            Assert.Equal(4, counter.Walks);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        using var late = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        Assert.Equal(5, counter.Walks);
        Assert.NotSame(held.Walk.Layout, late.Walk.Layout);

        // The first layout lives on for the request that holds it.
        Assert.Equal(1, held.Walk.Layout!.Count);
    }

    [Fact]
    public async Task SharingEnded_ByAMemberThatChangedOrTheLastByteRead_NextRequestWalksAgain()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var counter = new WalkCounter();

        using var first = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        first.EndSharing();
        using var second = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);

        Assert.Equal(2, counter.Walks);
    }

    [Fact]
    public async Task ShareWalkForZero_EveryRequestWalks()
    {
        var walks = Walks(TimeSpan.Zero);
        var counter = new WalkCounter();

        using var first = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        using var second = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);

        Assert.Equal(2, counter.Walks);
        Assert.Equal(0, walks.InUse);
    }

    [Fact]
    public async Task WalkingRequestGoesAway_TheOneWaitingWalksItself()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var counter = new WalkCounter { Gate = new TaskCompletionSource() };
        using var gone = new CancellationTokenSource();

        var first = walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, gone.Token).AsTask();
        var waiting = walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None).AsTask();
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        counter.Gate.SetResult();
        using var lease = await waiting;

        Assert.Equal(2, counter.Walks);
        Assert.Equal(1, lease.Walk.Layout!.Count);
    }

    [Fact]
    public async Task WalkFails_TheWaitingRequestGetsTheSameFailure_AndTheNextWalksAgain()
    {
        var walks = Walks(TimeSpan.FromSeconds(5));
        var failing = new WalkCounter { Gate = new TaskCompletionSource(), Failure = new IOException("disk") };

        var first = walks.AcquireAsync("d/", share: true, mayJoin: true, failing.WalkAsync, CancellationToken.None).AsTask();
        var waiting = walks.AcquireAsync("d/", share: true, mayJoin: true, failing.WalkAsync, CancellationToken.None).AsTask();
        failing.Gate.SetResult();

        await Assert.ThrowsAsync<IOException>(() => first);
        await Assert.ThrowsAsync<IOException>(() => waiting);
        Assert.Equal(0, walks.InUse);
        var counter = new WalkCounter();
        using var next = await walks.AcquireAsync("d/", share: true, mayJoin: true, counter.WalkAsync, CancellationToken.None);
        Assert.Equal(1, counter.Walks);
    }

    private SharedWalks Walks(TimeSpan shareFor) => new(Options.Create(new ArchivesOptions { ShareWalkFor = shareFor }), _time);

    private sealed class WalkCounter
    {
        public int Walks;

        public TaskCompletionSource? Gate { get; init; }

        public Exception? Failure { get; init; }

        public async ValueTask<ArchiveWalk> WalkAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Walks);
            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            var layout = ZipLayout.Of([new ArchiveMember("d/a", 1, DateTimeOffset.UnixEpoch, new EntityTagHeaderValue("\"a\""))], "d/".Length);
            return new ArchiveWalk(ArchiveWalkOutcome.Complete, layout, 1, 1);
        }
    }
}
