using System.Buffers;
using LargeFileGateway.Configuration;
using LargeFileGateway.Limits;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Progress;

/// <summary>
/// <c>GET /events</c>: the transfer events as Server-Sent Events (WHATWG HTML §9.2), with a heartbeat comment after
/// each quiet <see cref="EventsOptions.HeartbeatInterval"/>. Each wake writes the watcher's batch (the bytes each
/// event was encoded to once) and flushes once, however many events it holds.
/// </summary>
internal static class TransferEventsEndpoint
{
    public static async Task StreamAsync(HttpContext context, TransferRegistry registry, WatcherLimits limits, IOptions<EventsOptions> options, TimeProvider time)
    {
        // The caps come before anything else: a refused watcher never subscribes.
        using var slot = await limits.TryAcquireAsync(context);
        if (!slot.IsAcquired)
        {
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // Identity keeps compressors (the response-compression middleware, a proxy) off the stream: compressed,
        // events would wait in the compressor's buffer. nginx would otherwise buffer it too (proxy_buffering).
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var aborted = context.RequestAborted;

        // Disposed when the loop ends, which it does as soon as the client goes away: the subscription and the
        // watcher slot are released at once.
        using var watcher = registry.Subscribe(lastEventId.Length > 0 ? lastEventId : null);
        try
        {
            await response.StartAsync(aborted);
            await foreach (var batch in watcher.ReadBatchesAsync(options.Value.HeartbeatInterval, time, aborted))
            {
                foreach (var published in batch)
                {
                    response.BodyWriter.Write(published.Frame.Span);
                }

                var flushed = await response.BodyWriter.FlushAsync(aborted);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The watcher left: normal for an event stream.
        }
    }
}
