using System.Buffers;
using LargeFileGateway.Configuration;
using LargeFileGateway.Http;
using LargeFileGateway.Limits;
using LargeFileGateway.Observability;
using LargeFileGateway.Representations;
using LargeFileGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Downloads;

/// <summary>Writes the body a <see cref="ResponsePlan"/> calls for: the whole representation, one range, or multipart.</summary>
internal sealed class BodyWriter(ChunkCopier copier, DownloadRates rates, IOptions<LimitsOptions> limits, GatewayMetrics metrics, ILogger<BodyWriter> logger)
{
    // Read once: the hot path only tests it against zero.
    private readonly TimeSpan _idleWriteTimeout = limits.Value.IdleWriteTimeout;

    /// <summary>
    /// Copies the planned bytes. Returns false when the client went away before the last byte, or was cut because
    /// one write waited <c>Gateway:Limits:IdleWriteTimeout</c> for it (logged and counted here, the connection
    /// aborted). Storage failures propagate (<see cref="Storage.StorageUnavailableException"/>,
    /// <see cref="Storage.StorageObjectChangedException"/>, <see cref="IOException"/>); <paramref name="progress"/> has
    /// counted every byte written until then.
    /// </summary>
    public async Task<bool> WriteAsync(HttpContext context, ResponsePlan plan, Representation representation, BodyProgress progress)
    {
        // One throttle for the whole response: the burst and the rate span every part of a multipart body.
        using var throttle = rates.StartThrottle(context, representation.Key, progress.Transfer);
        using var idleWrite = _idleWriteTimeout > TimeSpan.Zero ? new IdleWriteDeadline(_idleWriteTimeout, context.RequestAborted) : null;
        bool complete;
        try
        {
            complete = await WriteCoreAsync(context, plan, representation, progress, throttle, idleWrite);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && idleWrite is { Expired: true })
        {
            complete = false;
        }

        if (idleWrite is { Expired: true })
        {
            Log.IdleWriteCut(logger, representation.Key, progress.BytesWritten, idleWrite.Timeout, context.Request.Protocol, context.Connection.Id);
            metrics.SlowClientCut(SlowClientCutReason.IdleWrite);

            // Kestrel has aborted already (a flush canceled by its token does that); this makes sure of it.
            context.Abort();
            return false;
        }

        return complete;
    }

    private async Task<bool> WriteCoreAsync(HttpContext context, ResponsePlan plan, Representation representation, BodyProgress progress,
        DownloadThrottle? throttle, IdleWriteDeadline? idleWrite)
    {
        var writer = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var pace = ClientPace.For(context);
        if (plan.Multipart is not { } multipart)
        {
            var range = plan.Ranges.Kind == RangeKind.Single ? plan.Ranges.Ranges[0] : new ByteRange(0, representation.Length - 1);
            if (representation.Length == 0)
            {
                return true;
            }

            // Fewer bytes than the range means the client went away (the pipe completed under us).
            return await copier.CopyAsync(representation, range, writer, progress, aborted, throttle, idleWrite, pace, context.Response) == range.Length;
        }

        for (var i = 0; i < multipart.Ranges.Count; i++)
        {
            // The part header goes out with the first chunk of its part: one flush, under the idle-write deadline.
            writer.Write(multipart.PartHeader(i).Span);
            if (await copier.CopyAsync(representation, multipart.Ranges[i], writer, progress, aborted, throttle, idleWrite, pace) < multipart.Ranges[i].Length)
            {
                return false;
            }
        }

        writer.Write(multipart.ClosingDelimiter.Span);
        _ = idleWrite is null ? await writer.FlushAsync(aborted) : await idleWrite.FlushAsync(writer);
        return true;
    }
}
