using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A real nginx in front of gateway instances, configured with the repository's <c>nginx/</c> files: the test
/// template is rendered with a prefix, logs and temp folders of its own and a free loopback port, and nginx runs
/// as a foreground child process of the test, stopped by its pid.
/// </summary>
public sealed partial class NginxServer : IAsyncDisposable
{
    public const string InternalPrefix = "/_protected/";

    private readonly ExternalTool _process;
    private readonly TempFolder _prefix;

    private NginxServer(ExternalTool process, TempFolder prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public int ProcessId => _process.ProcessId;

    /// <summary>Where nginx would spool responses it buffers (proxy_temp_path).</summary>
    public string ProxyTempPath => _prefix.Combine("temp", "proxy");

    public string ErrorLogPath => _prefix.Combine("logs", "error.log");

    public string AccessLogPath => _prefix.Combine("logs", "access.log");

    /// <summary>Starts nginx on a free port, proxying to the gateways on <paramref name="upstreamPorts"/>.</summary>
    public static async Task<NginxServer> StartAsync(string storageRoot, IEnumerable<int> upstreamPorts)
    {
        var template = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.NginxConfig, "test", "nginx.conf.template"));
        var parameters = await ShippedServerParametersAsync();
        var servers = string.Join('\n', upstreamPorts.Select(port => $"        server 127.0.0.1:{port} {parameters};"));

        // Another process may take the free port between our probe and nginx's bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var prefix = new TempFolder("nginx");
            Directory.CreateDirectory(prefix.Combine("logs"));
            Directory.CreateDirectory(prefix.Combine("temp"));
            var port = FreePort();
            var config = template
                .Replace("{{PREFIX}}", prefix.Path, StringComparison.Ordinal)
                .Replace("{{TEMP}}", prefix.Combine("temp"), StringComparison.Ordinal)
                .Replace("{{PORT}}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{{UPSTREAM_SERVERS}}", servers, StringComparison.Ordinal)
                .Replace("{{CONFIG_DIR}}", RepositoryPaths.NginxConfig, StringComparison.Ordinal)
                .Replace("{{INTERNAL_PREFIX}}", InternalPrefix, StringComparison.Ordinal)
                .Replace("{{STORAGE_ROOT}}", Path.GetFullPath(storageRoot).TrimEnd('/'), StringComparison.Ordinal);
            var configPath = prefix.Combine("nginx.conf");
            await File.WriteAllTextAsync(configPath, config);

            var process = ExternalTool.Start("nginx", ["-p", prefix.Path + "/", "-c", configPath, "-e", prefix.Combine("logs", "error.log")]);
            if (await WaitUntilListeningAsync(process, port, TimeSpan.FromSeconds(15)))
            {
                return new NginxServer(process, prefix, port);
            }

            var errors = process.Output + (File.Exists(prefix.Combine("logs", "error.log")) ? await File.ReadAllTextAsync(prefix.Combine("logs", "error.log")) : string.Empty);
            process.Dispose();
            prefix.Dispose();
            if (attempt == 3 || !errors.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"nginx did not start:\n{errors}");
            }
        }
    }

    /// <summary>The access log so far, one entry per finished request.</summary>
    public IReadOnlyList<NginxAccessLogEntry> ReadAccessLog()
    {
        if (!File.Exists(AccessLogPath))
        {
            return [];
        }

        using var stream = new FileStream(AccessLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<NginxAccessLogEntry>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(NginxAccessLogEntry.Parse(line));
            }
        }

        return entries;
    }

    /// <summary>
    /// Waits until the access log holds the entries <paramref name="isComplete"/> looks for: nginx writes a line
    /// when it finalizes a request, which can be a moment after the client has its last byte.
    /// </summary>
    public async Task<IReadOnlyList<NginxAccessLogEntry>> WaitForAccessLogAsync(Func<IReadOnlyList<NginxAccessLogEntry>, bool> isComplete, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var entries = ReadAccessLog();
            if (isComplete(entries))
            {
                return entries;
            }

            if (cancellation.IsCancellationRequested)
            {
                return entries;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>
    /// Files nginx has in its proxy temp folder (none, if downloads stream as they should): those listed there,
    /// and those it holds open, which is where they are, since nginx deletes a temp file as soon as it opens it.
    /// </summary>
    public IReadOnlyList<string> ProxyTempFiles()
    {
        var files = new List<string>();
        var folder = Path.GetFullPath(ProxyTempPath);
        if (Directory.Exists(folder))
        {
            files.AddRange(Directory.GetFiles(folder, "*", SearchOption.AllDirectories));
        }

        try
        {
            foreach (var descriptor in Directory.GetFiles($"/proc/{ProcessId}/fd"))
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(folder + "/", StringComparison.Ordinal))
                {
                    files.Add(target);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A descriptor closed while we looked: it is not open any more.
        }

        return files;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _process.Dispose();
        await Task.Yield();
        _prefix.Dispose();
    }

    /// <summary>
    /// The parameters of the drop-in's <c>server</c> lines (<c>max_fails</c>, <c>fail_timeout</c>): the tests run
    /// the failure accounting users get, not a copy of it that could drift.
    /// </summary>
    private static async Task<string> ShippedServerParametersAsync()
    {
        var dropIn = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.NginxConfig, "largefilegateway.conf"));
        return ServerLine().Match(dropIn) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("largefilegateway.conf has no 'server HOST:PORT ...;' line in its upstream block.");
    }

    [GeneratedRegex(@"^\s*server\s+\S+:\d+\s+([^;]*);", RegexOptions.Multiline)]
    private static partial Regex ServerLine();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> WaitUntilListeningAsync(ExternalTool process, int port, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (!cancellation.IsCancellationRequested && !process.HasExited)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellation.Token);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }
}
