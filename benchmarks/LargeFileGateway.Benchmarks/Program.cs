using BenchmarkDotNet.Running;
using LargeFileGateway.Benchmarks.Allocations;
using Microsoft.AspNetCore.Builder;

namespace LargeFileGateway.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/LargeFileGateway.Benchmarks -- --filter '*'</c>; BenchmarkDotNet's
/// switches (<c>--job short</c>, <c>--filter *ChunkSize*</c>) pass through. <c>-- --allocations [MiB]</c> runs the
/// <see cref="AllocationProbe"/> instead (one real download through Kestrel, allocations by type), <c>-- --allocations-ranges
/// [seconds]</c> its per-request form (random 64 KiB ranges by wrk, bytes allocated per request).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--allocations", .. var rest])
        {
            return await AllocationProbe.RunAsync(rest is [var size] ? int.Parse(size, System.Globalization.CultureInfo.InvariantCulture) : 1024);
        }

        if (args is ["--allocations-ranges", .. var seconds])
        {
            return await AllocationProbe.RunRangesAsync(seconds is [var value] ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 10);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    internal static WebApplication CreateAppForProbe(string root)
        => LargeFileGateway.Program.CreateApp(["--urls", "http://127.0.0.1:0", "--root", root, "--Logging:LogLevel:Default=Warning"]);
}
