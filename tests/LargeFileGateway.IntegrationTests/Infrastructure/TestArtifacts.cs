namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>Files a test leaves for people to look at (screenshots), under the repository's TestResults folder.</summary>
public static class TestArtifacts
{
    public static string PathFor(string fileName)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LargeFileGateway.sln")))
        {
            directory = directory.Parent;
        }

        var results = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(results);
        return Path.Combine(results, fileName);
    }
}
