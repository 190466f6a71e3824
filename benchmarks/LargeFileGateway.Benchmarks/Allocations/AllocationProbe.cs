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
/// <para>
/// <c>-- --allocations-ranges [seconds]</c> does the same for the other load, the per-request cost: wrk (also a
/// separate process) asks for random 64 KiB ranges of a 4 GiB sparse file over 4 kept-alive connections, and the
/// figure is the managed bytes allocated per request served, with the types behind them.
/// </para>
/// </summary>
internal static class AllocationProbe
{
    public static Task<int> RunAsync(int mebibytes)
        => MeasureAsync((long)mebibytes << 20, async (address, _) =>
        {
            var url = $"{address}/files/probe.bin";
            await CurlAsync(url); // warm-up: JIT, pools, first connection
            return async () =>
            {
                await CurlAsync(url);
                var chunks = ((long)mebibytes << 20) / 65536;
                return (chunks, $"{mebibytes} MiB through the gateway on Kestrel", "64 KiB sent");
            };
        });

    public static Task<int> RunRangesAsync(int seconds)
        => MeasureAsync(4L << 30, async (address, root) =>
        {
            var script = Path.Combine(root, "ranges.lua");
            await File.WriteAllTextAsync(script, $$"""
                local size = {{4L << 30}}
                local len = 65536
                init = function(args) math.randomseed(7919) end
                request = function()
                  local first = math.floor(math.random() * (size - len))
                  return wrk.format("GET", "/files/probe.bin", { ["Range"] = string.format("bytes=%.0f-%.0f", first, first + len - 1) })
                end
                """);
            await WrkAsync(address, script, 2); // warm-up: JIT tiers, pools, connections
            return async () =>
            {
                var requests = await WrkAsync(address, script, seconds);
                return (requests, $"{requests:N0} random 64 KiB ranges through the gateway on Kestrel in {seconds} s", "request");
            };
        });

    /// <summary>
    /// The frame of both probes: a sparse file of <paramref name="size"/> bytes (the content does not matter here),
    /// the gateway on Kestrel in this process, the load <paramref name="prepare"/> warms up and returns, and the
    /// managed bytes allocated while it runs, per unit of the work it reports, with the sampled types behind them.
    /// </summary>
    private static async Task<int> MeasureAsync(long size, Func<string, string, Task<Func<Task<(long Units, string What, string Unit)>>>> prepare)
    {
        var root = Directory.CreateTempSubdirectory("lfg-alloc-");
        try
        {
            using (var stream = new FileStream(Path.Combine(root.FullName, "probe.bin"), FileMode.Create))
            {
                stream.SetLength(size);
            }

            await using var app = Program.CreateAppForProbe(root.FullName);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var load = await prepare(address, root.FullName);

            using var listener = new AllocationTickListener();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var (units, what, unit) = await load();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            units = Math.Max(1, units);

            Console.WriteLine($"{what}: {allocated / 1024.0:N0} KiB allocated, {allocated / (double)units:N0} B per {unit}");
            Console.WriteLine("Sampled allocations by type (bytes, from GC AllocationTick; the listener's own event objects included):");
            foreach (var (type, bytes) in listener.Snapshot().OrderByDescending(entry => entry.Value).Take(25))
            {
                Console.WriteLine($"{bytes,14:N0}  {bytes / (double)units,10:N1} B per {unit}  {type}");
            }

            await app.StopAsync();
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    // The number of requests wrk completed (its "N requests in" line), bounded in time by its own -d and a timeout.
    private static async Task<long> WrkAsync(string address, string script, int seconds)
    {
        var start = new ProcessStartInfo("wrk") { ArgumentList = { "-t1", "-c4", $"-d{seconds}s", "-s", script, address }, RedirectStandardOutput = true };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
        var output = await wrk.StandardOutput.ReadToEndAsync(timeout.Token);
        await wrk.WaitForExitAsync(timeout.Token);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) requests in");
        if (wrk.ExitCode != 0 || !match.Success || output.Contains("Non-2xx", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk against {address} failed (exit code {wrk.ExitCode}):\n{output}");
        }

        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
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
