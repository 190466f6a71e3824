using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LargeFileGateway.Observability;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace LargeFileGateway.Hosting;

/// <summary>
/// A certificate and key in PEM files (Kestrel's <c>Certificate:Path</c> and <c>KeyPath</c>), loaded again when
/// either file changes, so that a renewal (certbot's, which replaces the symlinks under <c>live/</c>) is served to
/// new TLS handshakes without a restart and without rebinding the endpoint: Kestrel's own certificate watching
/// rebinds it, which aborts every connection on it after 5 s, and a large download lasts longer than that.
/// Changes are seen by a file watcher on each file's folder (a rename over a name fires there too) and, where
/// watchers miss them (network file systems, some bind mounts), by a check of each file's final target, size and
/// time every <see cref="PollInterval"/>.
/// </summary>
internal sealed class ReloadingCertificate : IDisposable
{
    /// <summary>How often the files are checked besides the watcher: renewals come weeks apart; a minute is prompt.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<IDisposable> _watches = [];
    private readonly ITimer _poll;
    private string _fingerprint;
    private SslStreamCertificateContext _current;

    public ReloadingCertificate(string certificatePath, string keyPath, TimeProvider time, ILogger logger)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _logger = logger;
        _fingerprint = Fingerprint();
        _current = Load();
        foreach (var path in new[] { certificatePath, keyPath }.Distinct(StringComparer.Ordinal))
        {
            var folder = new PhysicalFileProvider(Path.GetDirectoryName(path)!, ExclusionFilters.None);
            var name = Path.GetFileName(path);
            _watches.Add(folder);
            _watches.Add(ChangeToken.OnChange(() => folder.Watch(name), ReloadIfChanged));
        }

        _poll = time.CreateTimer(_ => ReloadIfChanged(), null, PollInterval, PollInterval);
    }

    /// <summary>What new TLS handshakes are given: the leaf with its key, and the rest of the chain from the same file.</summary>
    public SslStreamCertificateContext Current => Volatile.Read(ref _current);

    public string Thumbprint => Current.TargetCertificate.Thumbprint;

    public void Dispose()
    {
        _poll.Dispose();
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }
    }

    private void ReloadIfChanged()
    {
        lock (_lock)
        {
            var fingerprint = Fingerprint();
            if (fingerprint == _fingerprint)
            {
                return;
            }

            try
            {
                var loaded = Load();
                var previous = Thumbprint;
                _fingerprint = fingerprint;
                Volatile.Write(ref _current, loaded);
                Log.CertificateReloaded(_logger, _certificatePath, previous, loaded.TargetCertificate.Thumbprint, loaded.TargetCertificate.NotAfter);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A renewal in progress: the certificate is replaced before its key (or is half written). The old
                // pair is served until the next change or check makes a pair that loads.
                Log.CertificateReloadFailed(_logger, _certificatePath, _keyPath, ex.Message);
            }
        }
    }

    private SslStreamCertificateContext Load()
    {
        // The first certificate of the file with its key (CopyWithPrivateKey refuses a key of another pair);
        // the others (fullchain.pem's intermediates) are sent along, never fetched from the network.
        var leaf = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(_certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    // The final target of each file (a symlink swap changes it), with its size and time.
    private string Fingerprint()
    {
        static string Of(string path)
        {
            try
            {
                var file = new FileInfo(path);
                var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
                target.Refresh();
                return target.Exists ? $"{target.FullName}|{target.Length}|{target.LastWriteTimeUtc.Ticks}" : "missing";
            }
            catch (IOException)
            {
                return "unreadable";
            }
        }

        return Of(_certificatePath) + "\n" + Of(_keyPath);
    }
}
