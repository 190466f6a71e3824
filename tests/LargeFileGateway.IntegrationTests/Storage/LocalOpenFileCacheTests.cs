using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// The local provider's open-file cache (issue 16) under files that change while range requests keep coming: every
/// 206 body is the bytes of the version its ETag names, no answer comes from a version older than the one in place
/// when the request was sent, nothing outside the root is ever served, and no descriptor outlives the cache.
/// </summary>
public sealed class LocalOpenFileCacheTests : IDisposable
{
    private const int FileLength = 256 * 1024;
    private const int RangeLength = 16 * 1024;
    private const int Clients = 8;
    private const int RequestsPerClient = 200;

    /// <summary>The writer changes the file once per this many answers, so that most requests see a settled version.</summary>
    private const int AnswersPerChange = 20;

    private static readonly DateTime FirstVersionTime = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _outer = new("filecache");
    private readonly string _root;
    private readonly string _staging;
    private readonly byte[][] _contents = [.. Enumerable.Range(0, 4).Select(Seeded)];
    private int _versions;

    public LocalOpenFileCacheTests()
    {
        _root = _outer.Combine("root");
        _staging = _outer.Combine("staging");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_staging);
    }

    public void Dispose() => _outer.Dispose();

    [Fact]
    public async Task RangeRequests_WhileTheFileIsReplacedByRename_EveryBodyIsTheVersionItsETagNames()
    {
        var path = Path.Combine(_root, "data.bin");
        File.Move(Stage(0), path);

        var run = await RunAsync("data.bin", allowTransient: false, change =>
        {
            File.Move(Stage(change % _contents.Length), path, overwrite: true);
            return _contents[change % _contents.Length];
        });

        run.AssertConsistent(minimumStatesSeen: 3);
    }

    [Fact]
    public async Task RangeRequests_WhileTheFileIsDeletedAndCreatedAgain_MissingVersionsAnswer404AndNoneIsServedStale()
    {
        var path = Path.Combine(_root, "data.bin");
        File.Move(Stage(0), path);

        var run = await RunAsync("data.bin", allowTransient: false, change =>
        {
            if (change % 2 == 1)
            {
                File.Delete(path);
                return null;
            }

            File.Move(Stage(change % _contents.Length), path);
            return _contents[change % _contents.Length];
        });

        run.AssertConsistent(minimumStatesSeen: 3);
        Assert.True(run.NotFoundCount > 0, "no request saw the file deleted");
    }

    [Fact]
    public async Task RangeRequests_WhileTheFileIsTruncatedAndRewrittenInPlace_EveryBodyIsTheVersionItsETagNames()
    {
        var path = Path.Combine(_root, "data.bin");
        File.Move(Stage(0), path);

        // Same inode each time: truncated, written again, given the version's own modification time. While the
        // bytes are being written, the file passes through states no version names (an ETag made from the time of
        // the write); answers from those are only allowed to requests that overlapped a change.
        var run = await RunAsync("data.bin", allowTransient: true, change =>
        {
            var content = _contents[change % _contents.Length];
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                file.SetLength(0);
                file.Write(content);
            }

            File.SetLastWriteTimeUtc(path, NextVersionTime());
            return content;
        });

        run.AssertConsistent(minimumStatesSeen: 3);
    }

    [Fact]
    public async Task RangeRequests_WhileALinkIsSwappedBetweenTwoFilesOfTheRoot_EveryBodyIsTheFileItsETagNames()
    {
        var first = Path.Combine(_root, "first.bin");
        var second = Path.Combine(_root, "second.bin");
        File.Move(Stage(0), first);
        File.Move(Stage(1), second);
        File.CreateSymbolicLink(Path.Combine(_root, "link.bin"), first);

        var run = await RunAsync("link.bin", allowTransient: false, change =>
        {
            SwapLink(Path.Combine(_root, "link.bin"), change % 2 == 0 ? first : second);
            return _contents[change % 2];
        });

        run.AssertConsistent(minimumStatesSeen: 3);
    }

    [Fact]
    public async Task RangeRequests_WhileALinkIsSwappedToAFileOutsideTheRoot_NoByteFromOutsideIsServed()
    {
        var inside = Path.Combine(_root, "inside.bin");
        var outside = _outer.Combine("outside.bin");
        File.Move(Stage(0), inside);
        File.Move(Stage(1), outside);
        File.CreateSymbolicLink(Path.Combine(_root, "link.bin"), inside);

        var run = await RunAsync("link.bin", allowTransient: false, change =>
        {
            var toOutside = change % 2 == 1;
            SwapLink(Path.Combine(_root, "link.bin"), toOutside ? outside : inside);
            return toOutside ? null : _contents[0];
        });

        run.AssertConsistent(minimumStatesSeen: 3);
        Assert.True(run.NotFoundCount > 0, "no request saw the link lead outside");
        Assert.DoesNotContain(run.Answers, answer => answer is { Status: HttpStatusCode.PartialContent, Body: { } body }
            && body.AsSpan().SequenceEqual(_contents[1].AsSpan(answer.FirstOffset, Math.Min(body.Length, FileLength - answer.FirstOffset))));
    }

    [Fact]
    public async Task Get_AfterAFolderOnTheWayWasMovedOutOfTheRootAndLinkedBack_Is404()
    {
        Directory.CreateDirectory(Path.Combine(_root, "box"));
        File.Move(Stage(0), Path.Combine(_root, "box", "f.bin"));
        await using var gateway = await GatewayServer.StartAsync(_root);
        using (var served = await gateway.Client.GetAsync("files/box/f.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // The same inode, unchanged (a folder's move leaves its files' ctime alone), now reached through a link that
        // leads outside the root: a fresh open refuses it, so the cached descriptor must not serve it either.
        Directory.Move(Path.Combine(_root, "box"), _outer.Combine("moved"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "box"), _outer.Combine("moved"));

        using var after = await gateway.Client.GetAsync("files/box/f.bin");

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Get_ThroughALinkAfterTheFolderOfItsTargetWasMovedOutOfTheRootAndLinkedBack_Is404()
    {
        Directory.CreateDirectory(Path.Combine(_root, "box"));
        File.Move(Stage(0), Path.Combine(_root, "box", "f.bin"));
        File.CreateSymbolicLink(Path.Combine(_root, "link.bin"), Path.Combine(_root, "box", "f.bin"));
        await using var gateway = await GatewayServer.StartAsync(_root);
        using (var served = await gateway.Client.GetAsync("files/link.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Directory.Move(Path.Combine(_root, "box"), _outer.Combine("moved"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "box"), _outer.Combine("moved"));

        using var after = await gateway.Client.GetAsync("files/link.bin");

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Theory]
    [InlineData("data.bin")]
    [InlineData("box/data.bin")]
    public async Task Get_AfterTheRootWasMovedAwayAndLinkedBack_Is404(string key)
    {
        // Issue 16 review, suspicion 2: the root itself is on the way of every key, flat ones included.
        Directory.CreateDirectory(Path.Combine(_root, "box"));
        File.Move(Stage(0), Path.Combine(_root, key));
        await using var gateway = await GatewayServer.StartAsync(_root);
        using (var served = await gateway.Client.GetAsync("files/" + key))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Directory.Move(_root, _outer.Combine("moved"));
        Directory.CreateSymbolicLink(_root, _outer.Combine("moved"));

        using var after = await gateway.Client.GetAsync("files/" + key);

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Get_AfterAFolderAboveTheRootWasMovedAwayAndLinkedBack_Is404()
    {
        var above = _outer.Combine("above");
        var root = Path.Combine(above, "root");
        Directory.CreateDirectory(root);
        File.Move(Stage(0), Path.Combine(root, "data.bin"));
        await using var gateway = await GatewayServer.StartAsync(root);
        using (var served = await gateway.Client.GetAsync("files/data.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // The root's own folder is still the same folder, not a link: only the way to it changed.
        Directory.Move(above, _outer.Combine("moved"));
        Directory.CreateSymbolicLink(above, _outer.Combine("moved"));

        using var after = await gateway.Client.GetAsync("files/data.bin");

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Get_AfterTheRootWasReplacedByAnotherFolder_ServesTheNewRootsFile()
    {
        File.Move(Stage(0), Path.Combine(_root, "data.bin"));
        await using var gateway = await GatewayServer.StartAsync(_root);
        Assert.Equal(_contents[0], await gateway.Client.GetByteArrayAsync("files/data.bin"));
        Directory.Move(_root, _outer.Combine("moved"));
        Directory.CreateDirectory(_root);
        File.Move(Stage(1), Path.Combine(_root, "data.bin"));

        var after = await gateway.Client.GetByteArrayAsync("files/data.bin");

        Assert.Equal(_contents[1], after);
    }

    [Fact]
    public async Task RangeRequests_ForOneFile_ShareOneDescriptorThatClosesWithTheCache()
    {
        var path = Path.Combine(_root, "data.bin");
        File.Move(Stage(0), path);
        await using var gateway = await GatewayServer.StartAsync(_root);

        for (var i = 0; i < 20; i++)
        {
            using var request = RangeRequest("data.bin", i * 1000);
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(_contents[0][(i * 1000)..((i * 1000) + RangeLength)], await response.Content.ReadAsByteArrayAsync());
        }

        Assert.True(await Eventually.TrueAsync(() => OpenFiles.Count(path) == 1, TimeSpan.FromSeconds(10)), $"{OpenFiles.Count(path)} descriptors open");
        gateway.CloseCachedFiles();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Download_WhileTheCacheDropsItsDescriptor_CompletesAndTheDescriptorClosesAfterIt()
    {
        var path = Path.Combine(_root, "big.bin");
        const long length = 256L << 20;
        TestFiles.WriteSparse(path, length, [(0, 1 << 20), (length - (1 << 20), 1 << 20)]);
        await using var gateway = await GatewayServer.StartAsync(_root);
        using var response = await gateway.Client.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 20];
        await body.ReadExactlyAsync(buffer);

        // The cache lets go (as its idle sweep, a failed revalidation or EMFILE would) while the request still reads:
        // the request's own reference keeps the descriptor valid until it ends.
        gateway.CloseCachedFiles();
        var (sha256, rest) = await TestFiles.Sha256Async(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(length - buffer.Length, rest);
        Assert.Equal(await TestFiles.Sha256Async(path, buffer.Length), sha256);
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Get_MoreFilesThanTheCacheHolds_TheLeastRecentlyUsedIsClosedForTheNewOne()
    {
        File.Move(Stage(0), Path.Combine(_root, "a.bin"));
        File.Move(Stage(1), Path.Combine(_root, "b.bin"));
        await using var gateway = await GatewayServer.StartAsync(_root, "--Gateway:Storage:Local:OpenFileCacheMaxFiles=1");

        var a = await gateway.Client.GetByteArrayAsync("files/a.bin");
        var b = await gateway.Client.GetByteArrayAsync("files/b.bin");

        Assert.Equal(_contents[0], a);
        Assert.Equal(_contents[1], b);
        Assert.True(await Eventually.TrueAsync(() => OpenFiles.Count(Path.Combine(_root, "a.bin")) == 0, TimeSpan.FromSeconds(10)), "a.bin is still open");
        Assert.Equal(1, OpenFiles.Count(Path.Combine(_root, "b.bin")));
    }

    [Fact]
    public async Task Get_ThenIdleForTheIdleTimeout_TheDescriptorIsClosed()
    {
        var path = Path.Combine(_root, "data.bin");
        File.Move(Stage(0), path);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayServer.StartWithServicesAsync(_root, services => services.AddSingleton<TimeProvider>(time), null,
            "--Gateway:Storage:Local:OpenFileCacheIdleTimeout=00:00:20");
        Assert.Equal(_contents[0], await gateway.Client.GetByteArrayAsync("files/data.bin"));
        Assert.True(await Eventually.TrueAsync(() => OpenFiles.Count(path) == 1, TimeSpan.FromSeconds(10)), "the descriptor was not kept");

        time.Advance(TimeSpan.FromSeconds(41));

        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    private static byte[] Seeded(int seed)
    {
        var bytes = new byte[FileLength];
        new Random(1000 + seed).NextBytes(bytes);
        return bytes;
    }

    private static HttpRequestMessage RangeRequest(string key, long first)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "files/" + key);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(first, first + RangeLength - 1);
        return request;
    }

    /// <summary>Points the link at <paramref name="target"/> in one step (a new link renamed over the old one).</summary>
    private void SwapLink(string link, string target)
    {
        var next = Path.Combine(_staging, "link-" + Interlocked.Increment(ref _versions));
        File.CreateSymbolicLink(next, target);
        File.Move(next, link, overwrite: true);
    }

    /// <summary>A new file (a new inode) with the bytes of one of the contents and a modification time no other version has.</summary>
    private string Stage(int content)
    {
        var path = Path.Combine(_staging, "v" + Interlocked.Increment(ref _versions));
        File.WriteAllBytes(path, _contents[content]);
        File.SetLastWriteTimeUtc(path, NextVersionTime());
        return path;
    }

    private DateTime NextVersionTime() => FirstVersionTime.AddSeconds(Interlocked.Increment(ref _versions));

    /// <summary>
    /// Starts a gateway, then runs <see cref="Clients"/> clients of <see cref="RequestsPerClient"/> random ranges each
    /// while <paramref name="change"/> changes the file (it returns the new content, or null when the key now leads
    /// to nothing servable). Ends with the descriptor checks; the answers are checked by the caller.
    /// </summary>
    private async Task<RangeRun> RunAsync(string key, bool allowTransient, Func<int, byte[]?> change)
    {
        var states = new VersionStates(allowTransient);
        await using var gateway = await GatewayServer.StartAsync(_root);
        states.Publish(await ETagAsync(gateway, key), _contents[0]);
        using var answered = new SemaphoreSlim(0);
        using var done = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= Clients * RequestsPerClient / AnswersPerChange; i++)
            {
                for (var n = 0; n < AnswersPerChange; n++)
                {
                    await answered.WaitAsync(done.Token);
                }

                states.Begin();
                var content = change(i);
                var etag = content is null ? null : await ETagAsync(gateway, key);
                Assert.True(content is null || etag is not null, $"change {i}: the new version is not served");
                states.Publish(etag, content);
            }
        });
        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(client);
            var answers = new List<RangeAnswer>();
            for (var i = 0; i < RequestsPerClient; i++)
            {
                var first = random.Next(FileLength - RangeLength);
                var sentAt = states.Published;
                answers.Add(await SendAsync(gateway, key, first, sentAt, states));
                answered.Release();
            }

            return answers;
        })).ToArray();

        var all = (await Task.WhenAll(clients)).SelectMany(answers => answers).ToList();
        await done.CancelAsync();
        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
            // The last change waited for answers that no client was left to give.
        }

        // The cache holds at most its one descriptor per key; anything else would be a request that kept its own.
        Assert.True(await Eventually.TrueAsync(() => OpenFiles.CountUnder(_outer.Path) <= 1, TimeSpan.FromSeconds(10)),
            $"{OpenFiles.CountUnder(_outer.Path)} descriptors open after the requests ended");
        gateway.CloseCachedFiles();
        Assert.True(await Eventually.TrueAsync(() => OpenFiles.CountUnder(_outer.Path) == 0, TimeSpan.FromSeconds(10)),
            $"{OpenFiles.CountUnder(_outer.Path)} descriptors open after the cache let go");
        return new RangeRun(states, all);
    }

    private static async Task<string?> ETagAsync(GatewayServer gateway, string key)
    {
        using var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/" + key));
        return head.StatusCode == HttpStatusCode.OK ? head.Headers.ETag?.Tag : null;
    }

    private static async Task<RangeAnswer> SendAsync(GatewayServer gateway, string key, int first, int sentAt, VersionStates states)
    {
        try
        {
            using var request = RangeRequest(key, first);
            using var response = await gateway.Client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            return new RangeAnswer(response.StatusCode, response.Headers.ETag?.Tag, response.Content.Headers.ContentRange?.From ?? -1, body, sentAt, states.Begun);
        }
        catch (HttpRequestException)
        {
            // An aborted connection: the file changed under the body (allowed only for a request that overlapped a change).
            return new RangeAnswer(null, null, first, null, sentAt, states.Begun);
        }
    }

    /// <summary>One answer and the window of versions it may come from: published when it was sent .. begun when it ended.</summary>
    private sealed record RangeAnswer(HttpStatusCode? Status, string? ETag, long First, byte[]? Body, int SentAt, int EndedBy)
    {
        public int FirstOffset => (int)First;
    }

    /// <summary>The file's versions in order: the ETag and content of each, or none for "nothing servable".</summary>
    private sealed class VersionStates(bool allowTransient)
    {
        private readonly List<(string? ETag, byte[]? Content)> _states = [];
        private int _begun = -1;
        private int _published = -1;

        public bool AllowTransient => allowTransient;

        public int Published => Volatile.Read(ref _published);

        public int Begun => Volatile.Read(ref _begun);

        public (string? ETag, byte[]? Content) this[int index]
        {
            get
            {
                lock (_states)
                {
                    return _states[index];
                }
            }
        }

        public int Count
        {
            get
            {
                lock (_states)
                {
                    return _states.Count;
                }
            }
        }

        /// <summary>Called before a change: answers ending after this may come from the version being made.</summary>
        public void Begin() => Interlocked.Increment(ref _begun);

        public void Publish(string? etag, byte[]? content)
        {
            lock (_states)
            {
                _states.Add((etag, content));
                if (_begun < _states.Count - 1)
                {
                    _begun = _states.Count - 1;
                }

                Volatile.Write(ref _published, _states.Count - 1);
            }
        }
    }

    private sealed class RangeRun(VersionStates states, List<RangeAnswer> answers)
    {
        public List<RangeAnswer> Answers => answers;

        public int NotFoundCount => answers.Count(answer => answer.Status == HttpStatusCode.NotFound);

        public void AssertConsistent(int minimumStatesSeen)
        {
            var seen = new HashSet<int>();
            var failures = new List<string>();
            foreach (var answer in answers)
            {
                var last = Math.Min(answer.EndedBy, states.Count - 1);
                var window = Enumerable.Range(answer.SentAt, last - answer.SentAt + 1).ToList();
                var overlapped = answer.EndedBy > answer.SentAt;
                switch (answer.Status)
                {
                    case HttpStatusCode.PartialContent:
                        var match = window.Where(i => states[i].ETag == answer.ETag).Cast<int?>().LastOrDefault();
                        if (match is not { } index)
                        {
                            if (!(states.AllowTransient && overlapped))
                            {
                                failures.Add($"206 with ETag {answer.ETag} names no version in {answer.SentAt}..{last}");
                            }

                            continue;
                        }

                        seen.Add(index);
                        var content = states[index].Content!;
                        if (answer.Body is not { Length: RangeLength } body || !body.AsSpan().SequenceEqual(content.AsSpan(answer.FirstOffset, RangeLength)))
                        {
                            failures.Add($"206 of version {index} (ETag {answer.ETag}) at {answer.First}: the body is not that version's bytes");
                        }

                        break;
                    case HttpStatusCode.NotFound:
                        if (!window.Any(i => states[i].ETag is null))
                        {
                            failures.Add($"404 although versions {answer.SentAt}..{last} all exist");
                        }

                        break;
                    case null when overlapped:
                    case HttpStatusCode.RequestedRangeNotSatisfiable when states.AllowTransient && overlapped:
                    // A file rewritten in place under both attempts of a request (its first read saw one change, the
                    // look-up again the next) is answered 503 with Retry-After, as without the cache.
                    case HttpStatusCode.ServiceUnavailable when states.AllowTransient && overlapped:
                        break;
                    default:
                        failures.Add($"{answer.Status?.ToString() ?? "aborted"} for a request in versions {answer.SentAt}..{last}");
                        break;
                }
            }

            Assert.True(failures.Count == 0, $"{failures.Count} of {answers.Count} answers wrong, first: {string.Join("; ", failures.Take(5))}");
            Assert.True(seen.Count >= minimumStatesSeen, $"answers came from only {seen.Count} versions");
        }
    }
}
