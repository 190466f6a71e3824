using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Archives;

/// <summary>
/// Lets requests for the same archive that overlap in time share one walk of its folder and one member table: the
/// sixteen connections of <c>aria2c -x16</c> walk a folder of 100,000 files once instead of sixteen times, hold one
/// table, and see the CRC-32s each other computed.
/// </summary>
/// <remarks>
/// <para>A walk is shared only between requests with the same proof scope (<see cref="Access.AccessGate.ProofScopeOf"/>),
/// because which members a walk packs depends on what the request's proof opens; and only while at least one of them
/// holds it and for at most <see cref="ArchivesOptions.ShareWalkFor"/> after it ended, so that a changed folder is
/// seen at once by the next request when no download of it is running, and after that time at worst. The table is
/// deleted when its last request ends.</para>
/// <para>Sharing also ends at once (<see cref="WalkLease.EndSharing"/>) when a member changed under a download, and
/// when a request read the archive's last byte: a client that has the whole archive and asks again (after changing
/// the folder, say) gets a fresh walk, never one from before its own download ended. A request that joins a walk
/// whose own request went away walks itself.</para>
/// </remarks>
internal sealed class SharedWalks(IOptions<ArchivesOptions> options, TimeProvider time)
{
    private readonly TimeSpan _shareFor = options.Value.ShareWalkFor;
    private readonly Dictionary<(string Folder, string Scope), Shared> _walks = [];
    private readonly Lock _gate = new();

    /// <summary>Folders with a walk in use (tests).</summary>
    internal int InUse
    {
        get
        {
            lock (_gate)
            {
                return _walks.Count;
            }
        }
    }

    /// <summary>
    /// The walk of <paramref name="folder"/> for <paramref name="scope"/>: one in use and recent enough, or a new one
    /// made with <paramref name="walk"/>. The caller disposes the lease when its request ends.
    /// </summary>
    public async ValueTask<WalkLease> AcquireAsync(string folder, string scope, Func<CancellationToken, ValueTask<ArchiveWalk>> walk, CancellationToken cancellationToken)
    {
        var key = (folder, scope);
        while (true)
        {
            Shared shared;
            bool mine;
            lock (_gate)
            {
                mine = !_walks.TryGetValue(key, out shared!) || !shared.IsShareable(time.GetUtcNow(), _shareFor);
                if (mine)
                {
                    shared = new Shared(key);
                    if (_shareFor > TimeSpan.Zero)
                    {
                        _walks[key] = shared;
                    }
                }

                shared.Users++;
            }

            if (mine)
            {
                try
                {
                    shared.Complete(await walk(cancellationToken), time.GetUtcNow());
                }
                catch (Exception exception)
                {
                    shared.Fail(exception);
                    Release(shared);
                    throw;
                }

                return new WalkLease(this, shared);
            }

            try
            {
                await shared.Completion.WaitAsync(cancellationToken);
                return new WalkLease(this, shared);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The request that was walking went away; this one walks for itself.
                Release(shared);
            }
            catch
            {
                Release(shared);
                throw;
            }
        }
    }

    private void Release(Shared shared)
    {
        lock (_gate)
        {
            if (--shared.Users > 0)
            {
                return;
            }

            Forget(shared);
        }

        if (shared.Completion.IsCompletedSuccessfully)
        {
            shared.Completion.Result.Layout?.Dispose();
        }
    }

    private void EndSharing(Shared shared)
    {
        lock (_gate)
        {
            shared.Ended = true;
            Forget(shared);
        }
    }

    private void Forget(Shared shared)
    {
        if (_walks.TryGetValue(shared.Key, out var current) && ReferenceEquals(current, shared))
        {
            _walks.Remove(shared.Key);
        }
    }

    /// <summary>One walk and the requests holding it.</summary>
    internal sealed class Shared((string Folder, string Scope) key)
    {
        private readonly TaskCompletionSource<ArchiveWalk> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private DateTimeOffset _completedAt;

        public (string Folder, string Scope) Key { get; } = key;

        public Task<ArchiveWalk> Completion => _completion.Task;

        public int Users { get; set; }

        public bool Ended { get; set; }

        /// <summary>Still walking (join it), or walked less than <paramref name="shareFor"/> ago and its sharing not ended.</summary>
        public bool IsShareable(DateTimeOffset now, TimeSpan shareFor)
            => !Ended && (!Completion.IsCompleted || (Completion.IsCompletedSuccessfully && now - _completedAt < shareFor));

        public void Complete(ArchiveWalk walk, DateTimeOffset at)
        {
            _completedAt = at;
            _completion.SetResult(walk);
        }

        public void Fail(Exception exception)
        {
            if (exception is OperationCanceledException canceled)
            {
                _completion.SetCanceled(canceled.CancellationToken);
            }
            else
            {
                _completion.SetException(exception);
            }
        }
    }

    /// <summary>A request's hold on a shared walk: its result, until disposed (once).</summary>
    internal sealed class WalkLease : IDisposable
    {
        private readonly SharedWalks _owner;
        private readonly Shared _shared;
        private int _disposed;

        internal WalkLease(SharedWalks owner, Shared shared)
        {
            _owner = owner;
            _shared = shared;
            Walk = shared.Completion.Result;
        }

        public ArchiveWalk Walk { get; }

        /// <summary>No later request may share this walk (a member changed since, or the archive was read to its end); this one keeps it.</summary>
        public void EndSharing() => _owner.EndSharing(_shared);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_shared);
            }
        }
    }
}
