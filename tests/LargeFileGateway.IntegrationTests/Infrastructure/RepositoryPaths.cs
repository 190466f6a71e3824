namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Files of the repository the tests run against, found by walking up from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    /// <summary>The <c>nginx/</c> folder: the config users copy, and the template the tests render.</summary>
    public static string NginxConfig => Path.Combine(RootFolder.Value, "nginx");

    /// <summary>The folder holding LargeFileGateway.sln.</summary>
    public static string Root => RootFolder.Value;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LargeFileGateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No LargeFileGateway.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}
