using LargeFileGateway.Http;
using LargeFileGateway.Limits;
using LargeFileGateway.Representations;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.Downloads;

/// <summary>Writes the body a <see cref="ResponsePlan"/> calls for: the whole representation, one range, or multipart.</summary>
internal sealed class BodyWriter(ChunkCopier copier, DownloadRates rates)
{
    /// <summary>
    /// Copies the planned bytes. Returns false when the client went away before the last byte. Storage failures
    /// propagate (<see cref="Storage.StorageUnavailableException"/>, <see cref="Storage.StorageObjectChangedException"/>,
    /// <see cref="IOException"/>); <paramref name="progress"/> has counted every byte written until then.
    /// </summary>
    public async Task<bool> WriteAsync(HttpContext context, ResponsePlan plan, Representation representation, BodyProgress progress)
    {
        var writer = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        // One throttle for the whole response: the burst and the rate span every part of a multipart body.
        using var throttle = rates.StartThrottle(context, representation.Key, progress.Transfer);
        if (plan.Multipart is not { } multipart)
        {
            var range = plan.Ranges.Kind == RangeKind.Single ? plan.Ranges.Ranges[0] : new ByteRange(0, representation.Length - 1);
            if (representation.Length == 0)
            {
                return true;
            }

            // Fewer bytes than the range means the client went away (the pipe completed under us).
            return await copier.CopyAsync(representation, range, writer, progress, aborted, throttle) == range.Length;
        }

        for (var i = 0; i < multipart.Ranges.Count; i++)
        {
            await writer.WriteAsync(multipart.PartHeader(i), aborted);
            if (await copier.CopyAsync(representation, multipart.Ranges[i], writer, progress, aborted, throttle) < multipart.Ranges[i].Length)
            {
                return false;
            }
        }

        await writer.WriteAsync(multipart.ClosingDelimiter, aborted);
        return true;
    }
}
