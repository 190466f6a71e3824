using LargeFileGateway.Configuration;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.Hosting;

/// <summary>The first run without a root: <c>./data</c>, relative to the folder the user started the gateway in.</summary>
internal static class SampleRoot
{
    /// <summary>
    /// Points <c>Gateway:Storage:Root</c> at <c>./data</c> (created with its sample files when missing) when the
    /// local provider has no root, and turns the folder listing and the zip archives on unless they are configured;
    /// true when the folder was created now, for the startup log.
    /// </summary>
    public static bool UseWhenNoneConfigured(IConfiguration configuration)
    {
        var rootKey = $"{StorageOptions.SectionName}:Root";
        var provider = configuration[$"{StorageOptions.SectionName}:Provider"];
        if (!string.IsNullOrWhiteSpace(configuration[rootKey])
            || (provider is not null && !provider.Equals(nameof(StorageProviderKind.Local), StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var root = Path.GetFullPath(SampleFolder.DefaultRoot);
        configuration[rootKey] = root;

        // A newcomer browses before downloading: the sample shows its folders and their zips unless told otherwise.
        TurnOnUnlessConfigured(configuration, $"{ListingOptions.SectionName}:{nameof(ListingOptions.Enabled)}");
        TurnOnUnlessConfigured(configuration, $"{ArchivesOptions.SectionName}:{nameof(ArchivesOptions.Enabled)}");
        return SampleFolder.EnsureCreated(root);
    }

    private static void TurnOnUnlessConfigured(IConfiguration configuration, string key)
    {
        if (string.IsNullOrWhiteSpace(configuration[key]))
        {
            configuration[key] = "true";
        }
    }
}
