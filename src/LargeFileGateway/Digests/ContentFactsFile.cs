using System.Security.Cryptography;
using System.Text;

namespace LargeFileGateway.Digests;

/// <summary>
/// The text of one store entry: a header line, the key (base64 of its UTF-8, so any key fits on one line), the
/// validator, the source, one <c>name=hex</c> line per fact, and a last line with the SHA-256 of everything before
/// it. A file that does not end in a matching check line (a torn write, a flipped bit, an edit) is refused whole.
/// </summary>
internal static class ContentFactsFile
{
    public const string Extension = ".facts";

    private const string Header = "LargeFileGateway content facts 1";
    private const string KeyField = "key=";
    private const string ValidatorField = "validator=";
    private const string SourceField = "source=";
    private const string CheckField = "check=";

    /// <summary>
    /// The file name of <paramref name="version"/>: a hash of key and validator, so that any key (up to 4 KiB, any
    /// characters) maps to one short, safe name, and a new version never overwrites an old one's file.
    /// </summary>
    public static string NameOf(FileVersion version)
    {
        var bytes = Encoding.UTF8.GetBytes(version.Key + "\0" + version.Validator);
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 20)) + Extension;
    }

    public static string Format(FileVersion version, ContentFacts facts)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append(KeyField).Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(version.Key))).Append('\n');
        text.Append(ValidatorField).Append(version.Validator).Append('\n');
        text.Append(SourceField).Append(facts.Source).Append('\n');
        foreach (var (name, value) in facts.Values.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(Convert.ToHexStringLower(value)).Append('\n');
        }

        var check = Check(text.ToString());
        text.Append(CheckField).Append(check).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads an entry back; false for anything that is not a whole, intact entry.</summary>
    public static bool TryParse(string text, out FileVersion version, out ContentFacts facts)
    {
        (version, facts) = (default, null!);
        var checkAt = text.LastIndexOf("\n" + CheckField, StringComparison.Ordinal);
        if (checkAt < 0 || !text.EndsWith('\n'))
        {
            return false;
        }

        var body = text[..(checkAt + 1)];
        var check = text[(checkAt + 1 + CheckField.Length)..^1];
        if (!string.Equals(check, Check(body), StringComparison.Ordinal))
        {
            return false;
        }

        var lines = body.Split('\n');
        if (lines.Length < 5 || lines[0] != Header || !lines[1].StartsWith(KeyField, StringComparison.Ordinal)
            || !lines[2].StartsWith(ValidatorField, StringComparison.Ordinal) || !lines[3].StartsWith(SourceField, StringComparison.Ordinal)
            || !Enum.TryParse<ContentFactsSource>(lines[3][SourceField.Length..], out var source))
        {
            return false;
        }

        string key;
        try
        {
            key = Encoding.UTF8.GetString(Convert.FromBase64String(lines[1][KeyField.Length..]));
        }
        catch (FormatException)
        {
            return false;
        }

        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var line in lines.AsSpan(4, lines.Length - 5))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !ContentFacts.IsValidName(line[..equals]))
            {
                return false;
            }

            try
            {
                values[line[..equals]] = Convert.FromHexString(line.AsSpan(equals + 1));
            }
            catch (FormatException)
            {
                return false;
            }
        }

        version = new FileVersion(key, lines[2][ValidatorField.Length..]);
        facts = new ContentFacts(values, source);
        return true;
    }

    private static string Check(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
}
