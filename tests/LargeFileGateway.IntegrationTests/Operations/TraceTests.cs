using System.Diagnostics;
using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;
using LargeFileGateway.Observability;
using OpenTelemetry.Trace;

namespace LargeFileGateway.IntegrationTests.Operations;

/// <summary>A slow or failing S3 read shows in the request's trace: storage spans under the request span, the resume on the read.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class TraceTests(StorageServersFixture servers)
{
    [Fact]
    public async Task Download_S3CutOnce_StorageSpansNestUnderRequestWithResumeEvent()
    {
        await using var backend = await StorageBackend.CreateAsync(BackendKind.S3, servers);
        await using var proxy = FaultProxy.Start(backend.Port);
        var bytes = new byte[2 * 1024 * 1024];
        new Random(3).NextBytes(bytes);
        await backend.PutAsync("traced.bin", bytes);
        var spans = new SpanList();
        using var root = new TempFolder("trace");
        await using var gateway = await GatewayServer.StartWithServicesAsync(root.Path,
            services => services.AddOpenTelemetry().WithTracing(tracing => ObservabilityServices.ConfigureTracing(tracing).AddInMemoryExporter(spans)),
            null, servers.S3.ServingArgs(proxy.Port, backend.Bucket, "pub"));
        proxy.CutConnectionsAfter(256 * 1024, times: 1);

        using var response = await gateway.Client.GetAsync("files/traced.bin");
        var body = await response.Content.ReadAsByteArrayAsync();
        Activity? request = null;
        Assert.True(await Eventually.TrueAsync(() => (request = Find(spans, a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/files/traced.bin")) is not null, TimeSpan.FromSeconds(10)));
        var trace = Snapshot(spans).Where(a => a.TraceId == request!.TraceId).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, body);
        Assert.Equal(1, proxy.CutsDone);
        var metadata = Assert.Single(trace, a => a.OperationName == StorageActivities.Metadata);
        var read = Assert.Single(trace, a => a.OperationName == StorageActivities.Read);
        Assert.Equal(request!.SpanId, metadata.ParentSpanId);
        Assert.Equal(request.SpanId, read.ParentSpanId);
        Assert.Equal((long)bytes.Length, read.GetTagItem("gateway.storage.length"));
        var resume = Assert.Single(read.Events, e => e.Name == StorageActivities.Resume);
        Assert.True((long)resume.Tags.Single(t => t.Key == "gateway.storage.offset").Value! > 0);

        // The S3 calls themselves (HttpClient spans): the HEAD under the lookup, the first GET and the reopen under the read.
        Assert.Contains(trace, a => a.Kind == ActivityKind.Client && a.ParentSpanId == metadata.SpanId);
        Assert.True(trace.Count(a => a.Kind == ActivityKind.Client && a.ParentSpanId == read.SpanId) >= 2);
    }

    private static Activity? Find(SpanList spans, Func<Activity, bool> match) => Snapshot(spans).FirstOrDefault(match);

    private static Activity[] Snapshot(SpanList spans) => spans.Snapshot();

    /// <summary>The exporter adds from the threads that end spans while the test reads: every access takes the lock.</summary>
    private sealed class SpanList : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _gate = new();

        public Activity[] Snapshot()
        {
            lock (_gate)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_gate)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
