using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.AccessLog;

/// <summary>
/// Formats an <see cref="AccessLogEntry"/> as one line. Combined is nginx's "combined" format with four fields
/// appended (request time in seconds, the Range field, the range kind, the outcome); Json is one object per line
/// with the same fields. Runs on the writer's thread only: it reuses its buffers.
/// </summary>
/// <remarks>
/// Combined escapes as nginx does (<c>"</c>, <c>\</c>, control and non-ASCII bytes as <c>\xHH</c>), so a user agent
/// cannot forge a second line or a field; JSON escapes through <see cref="Utf8JsonWriter"/>.
/// </remarks>
internal sealed class AccessLogFormatter : IDisposable
{
    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly AccessLogFormat _format;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;

    public AccessLogFormatter(AccessLogFormat format)
    {
        _format = format;
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Dispose() => _json.Dispose();

    /// <summary>The line for <paramref name="entry"/>, ending in '\n'; valid until the next call.</summary>
    public ReadOnlySpan<byte> Format(in AccessLogEntry entry)
    {
        _line.ResetWrittenCount();
        if (_format == AccessLogFormat.Json)
        {
            WriteJson(entry);
        }
        else
        {
            WriteCombined(entry);
        }

        _line.Write("\n"u8);
        return _line.WrittenSpan;
    }

    private void WriteCombined(in AccessLogEntry entry)
    {
        var time = entry.Time.ToUniversalTime();
        Ascii(entry.RemoteAddress?.ToString() ?? "-");
        Ascii(string.Create(CultureInfo.InvariantCulture, $" - - [{time.Day:00}/{s_months[time.Month - 1]}/{time.Year:0000}:{time:HH:mm:ss} +0000] \""));
        Escaped(entry.Method);
        _line.Write(" "u8);
        Escaped(entry.Target);
        _line.Write(" "u8);
        Escaped(entry.Protocol);
        Ascii(string.Create(CultureInfo.InvariantCulture, $"\" {entry.Status} "));
        Ascii(entry.BytesSent is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) : "-");
        Quoted(entry.Referer);
        Quoted(entry.UserAgent);
        Ascii(string.Create(CultureInfo.InvariantCulture, $" {entry.Duration.TotalSeconds:0.000}"));
        Quoted(entry.Range);
        _line.Write(" "u8);
        Ascii(entry.RangeKind);
        _line.Write(" "u8);
        Ascii(entry.Outcome);
    }

    private void WriteJson(in AccessLogEntry entry)
    {
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteString("time", entry.Time.ToUniversalTime());
        _json.WriteString("remote_addr", entry.RemoteAddress?.ToString());
        _json.WriteString("method", entry.Method);
        _json.WriteString("uri", entry.Target);
        _json.WriteString("protocol", entry.Protocol);
        _json.WriteNumber("status", entry.Status);
        if (entry.BytesSent is { } bytes)
        {
            _json.WriteNumber("bytes_sent", bytes);
        }
        else
        {
            _json.WriteNull("bytes_sent");
        }

        _json.WriteString("referer", entry.Referer);
        _json.WriteString("user_agent", entry.UserAgent);
        _json.WriteNumber("duration_s", Math.Round(entry.Duration.TotalSeconds, 6));
        _json.WriteString("range", entry.Range);
        _json.WriteString("range_kind", entry.RangeKind);
        _json.WriteString("outcome", entry.Outcome);
        _json.WriteEndObject();
        _json.Flush();
    }

    private void Quoted(string? value)
    {
        _line.Write(" \""u8);
        if (string.IsNullOrEmpty(value))
        {
            _line.Write("-"u8);
        }
        else
        {
            Escaped(value);
        }

        _line.Write("\""u8);
    }

    private void Ascii(string value)
    {
        var span = _line.GetSpan(value.Length);
        var written = Encoding.ASCII.GetBytes(value, span);
        _line.Advance(written);
    }

    private void Escaped(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var bytes = rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented));
            foreach (var b in bytes)
            {
                if (b is < 0x20 or >= 0x7f or (byte)'"' or (byte)'\\')
                {
                    var escape = _line.GetSpan(4);
                    escape[0] = (byte)'\\';
                    escape[1] = (byte)'x';
                    escape[2] = (byte)"0123456789ABCDEF"[b >> 4];
                    escape[3] = (byte)"0123456789ABCDEF"[b & 0xF];
                    _line.Advance(4);
                }
                else
                {
                    _line.GetSpan(1)[0] = b;
                    _line.Advance(1);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
