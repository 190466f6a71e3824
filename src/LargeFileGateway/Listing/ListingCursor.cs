using System.Buffers.Text;
using System.Text;

namespace LargeFileGateway.Listing;

/// <summary>
/// The <c>?cursor=</c> of a listing: the provider's own cursor (a file name, an S3 continuation token) as base64url of
/// its UTF-8 bytes, so that it is opaque to clients and needs no escaping in a URL.
/// </summary>
/// <remarks>
/// Not signed: a forged cursor only chooses where a page of a folder the client may list starts (a name to compare
/// with, or a token S3 checks itself), so it can show nothing the client could not page to anyway.
/// </remarks>
internal static class ListingCursor
{
    /// <summary>Longest cursor accepted, in characters: an S3 continuation token is at most about 1 KiB.</summary>
    public const int MaxLength = 4096;

    public static string Encode(string providerCursor) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(providerCursor));

    /// <summary>The provider's cursor, or false when <paramref name="cursor"/> is not one <see cref="Encode"/> made.</summary>
    public static bool TryDecode(string cursor, out string providerCursor)
    {
        providerCursor = string.Empty;
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor.AsSpan(), out var length))
        {
            return false;
        }

        var bytes = new byte[length];
        if (Base64Url.DecodeFromChars(cursor, bytes) != length)
        {
            return false;
        }

        try
        {
            providerCursor = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        return providerCursor.Length > 0;
    }
}
