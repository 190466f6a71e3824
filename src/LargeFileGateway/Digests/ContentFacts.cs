namespace LargeFileGateway.Digests;

/// <summary>
/// What is known about the bytes of one file version: named facts, each a byte string (<c>sha-256</c>, <c>sha-512</c>,
/// and room for others, such as the CRC-32 a zip entry needs), and where they came from.
/// </summary>
/// <remarks>
/// Fact names are lower-case ASCII letters, digits and '-', as RFC 9530 §5 names its algorithms, so they can be
/// written to the store and into header fields unchanged.
/// </remarks>
internal sealed class ContentFacts
{
    public const string Sha256 = "sha-256";
    public const string Sha512 = "sha-512";

    private readonly Dictionary<string, byte[]> _values;

    public ContentFacts(IReadOnlyDictionary<string, byte[]> values, ContentFactsSource source)
    {
        foreach (var name in values.Keys)
        {
            if (!IsValidName(name))
            {
                throw new ArgumentException($"'{name}' is not a fact name.", nameof(values));
            }
        }

        _values = new Dictionary<string, byte[]>(values, StringComparer.Ordinal);
        Source = source;
    }

    public ContentFactsSource Source { get; }

    public IReadOnlyDictionary<string, byte[]> Values => _values;

    /// <summary>The value of <paramref name="name"/>, or null when it is not known.</summary>
    public byte[]? Get(string name) => _values.GetValueOrDefault(name);

    /// <summary>These facts with <paramref name="name"/> set to <paramref name="value"/> (the source stays).</summary>
    public ContentFacts With(string name, byte[] value)
    {
        var values = new Dictionary<string, byte[]>(_values, StringComparer.Ordinal) { [name] = value };
        return new ContentFacts(values, Source);
    }

    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
