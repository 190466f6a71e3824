namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway as users deploy it: <c>dotnet publish</c> of src/LargeFileGateway, which is a Native AOT build
/// (PublishAot in its project). Trimming and ahead-of-time compilation can break what the JIT build under the other
/// tests never shows (reflection-based binding, JSON, the S3 SDK), so this build gets tests of its own.
/// tests/run.sh publishes it before the tests and names it in LARGEFILEGATEWAY_NATIVE_GATEWAY; a plain
/// <c>dotnet test</c> publishes it here once per run (about a minute) into tests/.aot/ (gitignored).
/// </summary>
public static class NativeGatewayBuild
{
    public const string EnvironmentVariable = "LARGEFILEGATEWAY_NATIVE_GATEWAY";

    private static readonly Lazy<Task<string>> Executable = new(LocateOrPublishAsync);

    public static Task<string> ExecutableAsync() => Executable.Value;

    private static async Task<string> LocateOrPublishAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return File.Exists(given)
                ? given
                : throw new InvalidOperationException($"{EnvironmentVariable} names {given}, which does not exist.");
        }

        var output = Path.Combine(RepositoryPaths.Root, "tests", ".aot", "gateway");
        var project = Path.Combine(RepositoryPaths.Root, "src", "LargeFileGateway", "LargeFileGateway.csproj");
        var (exitCode, log) = await ExternalTool.RunAsync("dotnet", ["publish", project, "-c", "Release", "-o", output, "-nologo"], TimeSpan.FromMinutes(10));
        var executable = Path.Combine(output, "LargeFileGateway");
        return exitCode == 0 && File.Exists(executable)
            ? executable
            : throw new InvalidOperationException($"dotnet publish (Native AOT) failed with exit code {exitCode}:\n{log}");
    }
}
