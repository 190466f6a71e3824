using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using LargeFileGateway.Benchmarks.Streaming;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Benchmarks;

/// <summary>
/// The one benchmark run inside the test suite (issue #3): a dry, in-process BenchmarkDotNet run of the 1 MiB
/// whole-file download, so that the benchmark project keeps compiling and its streaming path keeps working.
/// </summary>
public sealed class ChunkCopierBenchmarksSmokeTests
{
    [Fact]
    public void DryRun_OneMiBDownload_SucceedsAndReportsAllocations()
    {
        using var artifacts = new TempFolder("bdn");
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessNoEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(NullLogger.Instance)
            .AddFilter(new SimpleFilter(b => Equals(b.Parameters["FileSizeBytes"], ChunkCopierBenchmarks.OneMiB)))
            .WithArtifactsPath(artifacts.Path)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);

        var summary = BenchmarkRunner.Run<ChunkCopierBenchmarks>(config);

        Assert.False(summary.HasCriticalValidationErrors);
        var report = Assert.Single(summary.Reports);
        Assert.True(report.Success, "the benchmark case failed; run it with benchmarks/LargeFileGateway.Benchmarks to see why");
        Assert.NotNull(report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
    }
}
