using LargeFileGateway.Configuration;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Archives;

/// <summary>
/// Lets requests for the same archive that overlap in time share one walk of its folder and one member table: the
/// sixteen connections of <c>aria2c -x16</c> walk a folder of 100,000 files once instead of sixteen times, hold one
/// table, and see the CRC-32s each other computed.
/// </summary>
/// <remarks>
/// <para>Who may share: only when access is open everywhere (the caller decides). Which members a walk packs depends
/// on what the request's proof opens, and a proof's answers change with the clock (a link or token expires, a resume
/// grace applies to ranges only), so two requests with the same link are not the same reader a few seconds apart.
/// Who may join: a request for part of the archive (a <c>Range</c>: a download manager's other connections, a
/// resume), while at least one request holds the walk and for at most <see cref="ArchivesOptions.ShareWalkFor"/>
/// after the walk ended. A request for the whole archive always walks, so a changed folder is seen at once by a new
/// download. The table is deleted when its last request ends.</para>
/// <para>Sharing also ends at once (<see cref="WalkLease.EndSharing"/>) when a member changed under a download, and
/// when a request read the archive's last byte: a client that has the whole archive and asks again (after changing
/// the folder, say) gets a fresh walk, never one from before its own download ended. A request that joins a walk
/// whose own request went away walks itself.</para>
/// </remarks>
internal sealed class SharedWalks(IOptions<ArchivesOptions> options, TimeProvider time)
{
    private readonly TimeSpan _shareFor = options.Value.ShareWalkFor;
    private readonly Dictionary<string, Shared> _walks = new(StringComparer.Ordinal);
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
    /// The walk of <paramref name="folder"/>: with <paramref name="mayJoin"/>, one in use and recent enough, else a new
    /// one made with <paramref name="walk"/>, which later requests may join when <paramref name="share"/> (access is
    /// open everywhere). The caller disposes the lease when its request ends.
    /// </summary>
    public async ValueTask<WalkLease> AcquireAsync(string folder, bool share, bool mayJoin, Func<CancellationToken, ValueTask<ArchiveWalk>> walk, CancellationToken cancellationToken)
    {
        share &= _shareFor > TimeSpan.Zero;
        while (true)
        {
            Shared? shared = null;
            bool mine;
            lock (_gate)
            {
                mine = !share || !mayJoin || !_walks.TryGetValue(folder, out shared) || !shared.IsShareable(time.GetUtcNow(), _shareFor);
                if (mine)
                {
                    shared = new Shared(folder);
                    if (share)
                    {
                        _walks[folder] = shared;
                    }
                }

                shared!.Users++;
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
    internal sealed class Shared(string key)
    {
        private readonly TaskCompletionSource<ArchiveWalk> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private DateTimeOffset _completedAt;

        /// <summary>The folder's key.</summary>
        public string Key { get; } = key;

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
