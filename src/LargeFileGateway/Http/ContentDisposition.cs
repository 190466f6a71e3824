using System.Text;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Http;

/// <summary>
/// Builds the <c>Content-Disposition</c> value for a download (RFC 6266, with RFC 8187 <c>filename*</c>).
/// </summary>
internal static class ContentDisposition
{
    public static string Create(string fileName, bool inline)
    {
        var value = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");

        // SetHttpFileName writes filename="ASCII fallback" and, for non-ASCII names, filename*=UTF-8''… which
        // browsers prefer (RFC 6266 §4.3), so "季度报告 2024.zip" saves under its real name. Control characters are
        // removed first: CR, LF and NUL must never reach a header (response splitting), and 0x7F is not a token char.
        value.SetHttpFileName(WithoutControlCharacters(fileName));
        return value.ToString();
    }

    private static string WithoutControlCharacters(string fileName)
    {
        if (!fileName.AsSpan().ContainsAnyInRange('\0', '\u001f') && !fileName.Contains('\u007f', StringComparison.Ordinal))
        {
            return fileName;
        }

        var builder = new StringBuilder(fileName.Length);
        foreach (var c in fileName)
        {
            if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.Length > 0 ? builder.ToString() : "download";
    }
}
