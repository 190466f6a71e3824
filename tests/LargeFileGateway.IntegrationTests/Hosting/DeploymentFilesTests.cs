using System.Globalization;
using System.Text.RegularExpressions;
using LargeFileGateway.Configuration;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>Issue 13: the systemd unit in config/ passes systemd's own check and outlasts the gateway's drain.</summary>
public sealed partial class DeploymentFilesTests : IDisposable
{
    private readonly TempFolder _units = new("systemd-unit");

    private static string UnitPath => Path.Combine(RepositoryPaths.Root, "config", "largefilegateway.service");

    public void Dispose() => _units.Dispose();

    [Fact]
    public async Task SystemdUnit_AsShipped_PassesSystemdAnalyzeVerify()
    {
        // verify also checks that ExecStart exists: the unit as shipped, pointed at an executable that does.
        var unit = (await File.ReadAllTextAsync(UnitPath))
            .Replace("ExecStart=/opt/largefilegateway/LargeFileGateway", "ExecStart=/bin/true", StringComparison.Ordinal)
            .Replace("WorkingDirectory=/opt/largefilegateway", "WorkingDirectory=/", StringComparison.Ordinal);
        var copy = _units.Combine("largefilegateway.service");
        await File.WriteAllTextAsync(copy, unit);

        var (exitCode, output) = await ExternalTool.RunAsync("systemd-analyze", ["verify", copy], TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public async Task SystemdUnit_TimeoutStopSec_OutlastsTheDefaultDrain()
    {
        var unit = await File.ReadAllTextAsync(UnitPath);

        var match = TimeoutStopSec().Match(unit);

        Assert.True(match.Success, "the unit has no TimeoutStopSec");
        Assert.True(TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)) > new ShutdownOptions().HostShutdownTimeout);
        Assert.Contains("KillSignal=SIGTERM", unit, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^TimeoutStopSec=(\d+)s$", RegexOptions.Multiline)]
    private static partial Regex TimeoutStopSec();
}
