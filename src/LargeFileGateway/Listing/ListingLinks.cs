using System.Text;

namespace LargeFileGateway.Listing;

/// <summary>
/// The URLs a listing links to: every segment percent-encoded (<see cref="Uri.EscapeDataString(string)"/>), folders ending in
/// '/', and the request's own query parameters other than the listing's (a signed link's <c>exp</c>, <c>kid</c>,
/// <c>sig</c>...) carried along, so that a prefix-scoped link opens the entries of the folder it opened.
/// </summary>
internal sealed class ListingLinks
{
    public const string FilesPath = "/files/";
    public const string ArchivesPath = "/archives/";
    public const string CursorParameter = "cursor";
    public const string LimitParameter = "limit";

    private static readonly HashSet<string> ListingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        CursorParameter, LimitParameter, ListingSort.SortParameter, ListingSort.OrderParameter,
    };

    private readonly string _pathBase;
    private readonly List<KeyValuePair<string, string?>> _carried = [];

    public ListingLinks(HttpRequest request)
    {
        _pathBase = request.PathBase.ToUriComponent();
        foreach (var (name, values) in request.Query)
        {
            if (!ListingParameters.Contains(name))
            {
                foreach (var value in values)
                {
                    _carried.Add(new(name, value));
                }
            }
        }
    }

    /// <summary>The download URL of a file key, or the listing URL of a folder key (ending in '/'; "" is the root).</summary>
    public string Files(string key) => _pathBase + FilesPath + EscapePath(key) + Query();

    /// <summary>The zip of a folder (<c>/archives/{folder}.zip</c>); never asked for the root.</summary>
    public string Archive(string folderKey) => _pathBase + ArchivesPath + EscapePath(folderKey.TrimEnd('/')) + ".zip" + Query();

    /// <summary>This folder's page with listing parameters of its own (sort, cursor), beside the carried ones.</summary>
    public string Page(string folderKey, params (string Name, string Value)[] parameters)
        => _pathBase + FilesPath + EscapePath(folderKey) + Query(parameters);

    /// <summary>Each segment escaped on its own, so '/' stays a separator and nothing else is one.</summary>
    public static string EscapePath(string key)
    {
        var path = new StringBuilder(key.Length + 16);
        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                path.Append('/');
            }

            path.Append(Uri.EscapeDataString(segments[i]));
        }

        return path.ToString();
    }

    private string Query(params (string Name, string Value)[] parameters)
    {
        if (_carried.Count == 0 && parameters.Length == 0)
        {
            return string.Empty;
        }

        var all = new List<KeyValuePair<string, string?>>(_carried);
        foreach (var (name, value) in parameters)
        {
            all.Add(new(name, value));
        }

        return QueryString.Create(all).ToUriComponent();
    }
}
