using LargeFileGateway.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;

namespace LargeFileGateway.Hosting;

/// <summary>
/// The gateway's configuration sources on top of the host's, lowest first: the gateway's built-in defaults (below
/// everything, the host's sources included), appsettings.json beside the executable, the file named by
/// <c>--config</c>, environment variables (also the ASPNETCORE_ and DOTNET_ ones, read again so that they beat the
/// files), the command line (with its shorthands).
/// </summary>
internal static class ConfigurationLayers
{
    private const string ConfigFileKey = "config";

    /// <summary>Command-line shorthands for configuration keys.</summary>
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--root"] = $"{StorageOptions.SectionName}:Root",
        ["--offload"] = $"{OffloadOptions.SectionName}:Mode",
    };

    /// <summary>The request-scope logger of ASP.NET Core's hosting layer.</summary>
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// Defaults that any settings file, variable or argument overrides. The hosting layer starts an Activity and a
    /// log scope for every request whenever its logger is on at any level, even with nobody listening to either
    /// (HostingApplicationDiagnostics.BeginRequest checks IsEnabled(Critical)); that was 6.5 % of the server's CPU
    /// per random 64 KiB range (benchmarks/RESULTS.md, tuning item 19). Its per-request messages are the Information
    /// lines "Request starting" and "Request finished", which the default levels leave out anyway (the gateway's
    /// access log says more); its one Critical message, a failure to build the pipeline at start, is also thrown out
    /// of start-up, which stops the process with it. With traces exported (OTLP) the Activity is still made, for the
    /// exporter. The problem-details traceId is then Kestrel's request id (connection id and request number).
    /// </summary>
    /// <remarks>
    /// The storage HttpClients' request loggers (IHttpClientFactory's "System.Net.Http.HttpClient.{name}" handlers)
    /// write four Information lines for every HEAD and GET the S3 and HttpOrigin providers send, which at the default
    /// level would be four lines per download, per resumed read and per uncached lookup; they log nothing above
    /// Information. Warning keeps them quiet until an operator sets the category to debug a backend; the gateway's
    /// own storage events (retries, the breaker, refusals) and the HttpClient trace spans are not affected.
    /// </remarks>
    private static readonly Dictionary<string, string?> BuiltInDefaults = new(StringComparer.Ordinal)
    {
        [$"Logging:LogLevel:{HostingDiagnosticsCategory}"] = "None",
        [$"Logging:LogLevel:{StorageHttpClientsCategory}"] = "Warning",
    };

    /// <summary>The loggers of every client IHttpClientFactory hands out (its handlers' categories start with this).</summary>
    private const string StorageHttpClientsCategory = "System.Net.Http.HttpClient";

    public static ConfigurationManager AddGatewayLayers(this ConfigurationManager configuration, string[] args)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = BuiltInDefaults });

        // The host reads appsettings.json from the content root (the working directory); the published executable
        // also finds the one shipped beside it wherever it is started from.
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);

        // --config FILE layers one of the samples in config/ (or any JSON file) under the environment and command line.
        if (configuration[ConfigFileKey] is { Length: > 0 } configFile)
        {
            var fullPath = Path.GetFullPath(configFile);
            var folder = new PhysicalFileProvider(Path.GetDirectoryName(fullPath)!, ExclusionFilters.None);
            configuration.AddJsonFile(folder, Path.GetFileName(fullPath), optional: false, reloadOnChange: false);
        }

        // The environment again, above the files: the host reads ASPNETCORE_* and DOTNET_* (ASPNETCORE_URLS,
        // ASPNETCORE_HTTP_PORTS) below every settings file, so a "Urls" in a --config file would beat them.
        configuration.AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddEnvironmentVariables()
            .AddCommandLine(args, SwitchMappings);

        // "Gateway:Offload = None | NginxAccelRedirect" is the documented short form of Gateway:Offload:Mode.
        if (configuration[OffloadOptions.SectionName] is { Length: > 0 } offloadMode && configuration[$"{OffloadOptions.SectionName}:Mode"] is null)
        {
            configuration[$"{OffloadOptions.SectionName}:Mode"] = offloadMode;
        }

        return configuration;
    }
}
