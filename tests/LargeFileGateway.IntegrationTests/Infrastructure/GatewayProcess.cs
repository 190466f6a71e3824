using System.Text.RegularExpressions;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway as its own process, either the build next to the tests (<c>dotnet LargeFileGateway.dll</c>) or the
/// Native AOT executable users deploy: for measurements that must not include the test's own memory (its resident
/// set size is read from <c>/proc/PID/status</c>) and for testing the published build itself.
/// </summary>
public sealed partial class GatewayProcess : IDisposable
{
    private readonly ExternalTool _process;

    private GatewayProcess(ExternalTool process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.ProcessId;

    public long? ResidentSetBytes => ProcessMemory.ResidentSetBytes(ProcessId);

    /// <summary>Starts the gateway built next to the tests on a free loopback port and waits until it listens.</summary>
    public static Task<GatewayProcess> StartAsync(string root, params string[] extraArgs)
        => StartCoreAsync(DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "LargeFileGateway.dll")], ["--root", root, .. extraArgs], workingDirectory: null);

    /// <summary>
    /// Starts the gateway in <paramref name="workingDirectory"/> with the arguments as given (no root unless they name
    /// one): the build next to the tests, or the Native AOT executable users deploy (<see cref="NativeGatewayBuild"/>).
    /// </summary>
    public static async Task<GatewayProcess> StartInFolderAsync(GatewayBuild build, string workingDirectory, params string[] arguments)
        => build == GatewayBuild.NativeAot
            ? await StartCoreAsync(await NativeGatewayBuild.ExecutableAsync(), [], arguments, workingDirectory)
            : await StartCoreAsync(DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "LargeFileGateway.dll")], arguments, workingDirectory);

    /// <summary>The Native AOT executable in <paramref name="workingDirectory"/>.</summary>
    public static Task<GatewayProcess> StartNativeAsync(string workingDirectory, params string[] arguments)
        => StartInFolderAsync(GatewayBuild.NativeAot, workingDirectory, arguments);

    /// <summary>
    /// Starts the build next to the tests as a container or a user would start it: no <c>--urls</c> added, the
    /// variables that choose the listen address removed from the inherited environment and
    /// <paramref name="environment"/> set instead (through <c>env</c>, which execs, so the pid is the gateway's).
    /// The caller waits on <see cref="ExternalTool.Output"/> for what it expects.
    /// </summary>
    public static ExternalTool StartAsConfigured(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        string[] listenVariables = ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTPS_PORTS"];
        return ExternalTool.Start("env",
        [
            .. listenVariables.SelectMany(name => new[] { "-u", name }),
            .. environment.Select(pair => $"{pair.Key}={pair.Value}"),
            DotnetHost(), Path.Combine(AppContext.BaseDirectory, "LargeFileGateway.dll"), "--environment", "Testing",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. arguments,
        ], workingDirectory);
    }

    private static async Task<GatewayProcess> StartCoreAsync(string fileName, string[] leading, string[] arguments, string? workingDirectory)
    {
        var process = ExternalTool.Start(fileName,
        [
            .. leading, "--urls", "http://127.0.0.1:0", "--environment", "Testing",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. arguments,
        ], workingDirectory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (ListeningOn().Match(process.Output) is { Success: true } match)
            {
                return new GatewayProcess(process, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            if (process.HasExited || timeout.IsCancellationRequested)
            {
                var output = process.Output;
                process.Dispose();
                throw new InvalidOperationException($"The gateway process did not start:\n{output}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGTERM (by this process's own pid), as systemd and container runtimes stop a service.</summary>
    public async Task TerminateAsync()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("kill", ["-TERM", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {ProcessId} failed: {output}");
        }
    }

    /// <summary>Waits for the process to end and returns its exit code; kills it and throws after <paramref name="timeout"/>.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public void Dispose() => _process.Dispose();

    // The SDK tells child processes which dotnet runs them; outside it, the one on PATH.
    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    [GeneratedRegex(@"Now listening on: https?://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();
}

/// <summary>Which build of the gateway a <see cref="GatewayProcess"/> runs.</summary>
public enum GatewayBuild
{
    /// <summary><c>dotnet LargeFileGateway.dll</c>, the build next to the tests.</summary>
    Jit,

    /// <summary>The executable of <c>dotnet publish</c>.</summary>
    NativeAot,
}
