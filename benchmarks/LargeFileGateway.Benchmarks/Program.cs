using BenchmarkDotNet.Running;

namespace LargeFileGateway.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/LargeFileGateway.Benchmarks -- --filter '*'</c>; BenchmarkDotNet's
/// switches (<c>--job short</c>, <c>--filter *ChunkSize*</c>) pass through.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
