using LargeFileGateway.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;

namespace LargeFileGateway.Hosting;

/// <summary>
/// The gateway's configuration sources on top of the host's, lowest first: appsettings.json beside the executable,
/// the file named by <c>--config</c>, environment variables (also the ASPNETCORE_ and DOTNET_ ones, read again so
/// that they beat the files), the command line (with its shorthands).
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

    public static ConfigurationManager AddGatewayLayers(this ConfigurationManager configuration, string[] args)
    {
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
