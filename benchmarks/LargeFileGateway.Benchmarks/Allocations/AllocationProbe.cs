using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LargeFileGateway.Benchmarks.Allocations;

/// <summary>
/// Who allocates while a big file streams through the whole server: the gateway on real Kestrel (127.0.0.1, a free
/// port) in this process, one download by curl (a separate process, so the client's allocations are not counted), the
/// managed bytes allocated meanwhile per 64 KiB sent, and the types behind them from the runtime's GC AllocationTick
/// events (one sample per ~100 KB allocated). BenchmarkDotNet's in-process numbers cover only the copy loop; this is
/// what the GC sees during a real download, Kestrel and the socket layer included, which is what decides whether
/// memory stays flat. <c>dotnet run -c Release --project benchmarks/LargeFileGateway.Benchmarks -- --allocations [MiB]</c>
/// </summary>
internal static class AllocationProbe
{
    public static async Task<int> RunAsync(int mebibytes)
    {
        var root = Directory.CreateTempSubdirectory("lfg-alloc-");
        try
        {
            var file = Path.Combine(root.FullName, "probe.bin");
            using (var stream = new FileStream(file, FileMode.Create))
            {
                stream.SetLength((long)mebibytes << 20); // sparse: the content does not matter here
            }

            await using var app = Program.CreateAppForProbe(root.FullName);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var url = $"{address}/files/probe.bin";

            await CurlAsync(url); // warm-up: JIT, pools, first connection
            using var listener = new AllocationTickListener();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            await CurlAsync(url);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            var chunks = ((long)mebibytes << 20) / 65536;
            Console.WriteLine($"{mebibytes} MiB through the gateway on Kestrel: {allocated / 1024.0:N0} KiB allocated, {allocated / (double)chunks:N0} B per 64 KiB sent");
            Console.WriteLine("Sampled allocations by type (bytes, from GC AllocationTick; the listener's own event objects included):");
            foreach (var (type, bytes) in listener.Snapshot().OrderByDescending(entry => entry.Value).Take(15))
            {
                Console.WriteLine($"{bytes,14:N0}  {type}");
            }

            await app.StopAsync();
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task CurlAsync(string url)
    {
        var start = new ProcessStartInfo("curl") { ArgumentList = { "-sS", "--fail", "-o", "/dev/null", url } };
        using var curl = Process.Start(start) ?? throw new InvalidOperationException("curl did not start (apt-get install curl).");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await curl.WaitForExitAsync(timeout.Token);
        if (curl.ExitCode != 0)
        {
            throw new InvalidOperationException($"curl {url} failed with exit code {curl.ExitCode}.");
        }
    }

    private sealed class AllocationTickListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly Dictionary<string, long> _bytesByType = [];

        public Dictionary<string, long> Snapshot()
        {
            lock (_bytesByType)
            {
                return new Dictionary<string, long>(_bytesByType);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null || eventData.Payload is null)
            {
                return;
            }

            var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var bytes = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
            lock (_bytesByType)
            {
                _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + bytes;
            }
        }
    }
}
