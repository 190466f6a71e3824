using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;

namespace LargeFileGateway.Progress;

/// <summary>
/// Writes the text/event-stream format (WHATWG HTML §9.2.5): the one writer of <c>/events</c>. The framework's SSE
/// result writes items only, and a heartbeat must be a comment line (a field no browser dispatches), so that result
/// and a second writer for the comments took turns on one body before. Each event is encoded once, when it is
/// published (<see cref="Encode"/>), and its bytes are shared by every watcher.
/// </summary>
internal static class ServerSentEventWriter
{
    /// <summary>
    /// One event: <c>event:</c>, <c>id:</c> and <c>retry:</c> when set, a <c>data:</c> line per line of data (none
    /// for empty data: a block without data sets the retry or id and dispatches nothing), then the blank line.
    /// </summary>
    public static void WriteEvent(IBufferWriter<byte> writer, SseItem<string> item)
    {
        // SseItem reports "message" when no type was given: that is what browsers assume without the field.
        if (item.EventType is { Length: > 0 } eventType && eventType != SseParser.EventTypeDefault)
        {
            WriteField(writer, "event", eventType);
        }

        if (item.EventId is { Length: > 0 } id)
        {
            WriteField(writer, "id", id);
        }

        if (item.ReconnectionInterval is { } retry)
        {
            WriteField(writer, "retry", ((long)retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        if (item.Data is { Length: > 0 } data)
        {
            foreach (var line in data.Split('\n'))
            {
                WriteField(writer, "data", line.TrimEnd('\r'));
            }
        }

        writer.Write("\n"u8);
    }

    /// <summary>The UTF-8 bytes of one event block, as <see cref="WriteEvent"/> writes it.</summary>
    public static byte[] Encode(SseItem<string> item)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteEvent(buffer, item);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The UTF-8 bytes of one comment block, as <see cref="WriteComment"/> writes it.</summary>
    public static byte[] EncodeComment(string text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteComment(buffer, text);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A comment block (<c>: text</c>): keeps idle proxies from closing the stream; browsers ignore it.</summary>
    public static void WriteComment(IBufferWriter<byte> writer, string text)
    {
        writer.Write(": "u8);
        Write(writer, text);
        writer.Write("\n\n"u8);
    }

    private static void WriteField(IBufferWriter<byte> writer, string name, string value)
    {
        Write(writer, name);
        writer.Write(": "u8);
        Write(writer, value);
        writer.Write("\n"u8);
    }

    private static void Write(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
