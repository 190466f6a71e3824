using LargeFileGateway.Configuration;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.Hosting;

/// <summary>The first run without a root: <c>./data</c>, relative to the folder the user started the gateway in.</summary>
internal static class SampleRoot
{
    /// <summary>
    /// Points <c>Gateway:Storage:Root</c> at <c>./data</c> (created with its sample files when missing) when the
    /// local provider has no root; true when the folder was created now, for the startup log.
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
        return SampleFolder.EnsureCreated(root);
    }
}
