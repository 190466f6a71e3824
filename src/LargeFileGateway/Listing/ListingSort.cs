namespace LargeFileGateway.Listing;

/// <summary>The column an HTML listing is sorted by (<c>?sort=name|size|modified</c>).</summary>
internal enum ListingSortColumn
{
    Name,
    Size,
    Modified,
}

/// <summary>
/// The order of the rows of an HTML page: <c>?sort=</c> and <c>?order=asc|desc</c>, done on the server so that it works
/// without script. Folders come first in every order, as in nginx's autoindex. A page is sorted within itself; pages
/// follow each other in name order (the order storage lists in).
/// </summary>
internal readonly record struct ListingSort(ListingSortColumn Column, bool Descending)
{
    public const string SortParameter = "sort";
    public const string OrderParameter = "order";

    public static ListingSort Default => new(ListingSortColumn.Name, Descending: false);

    /// <summary>The sort a query asks for; false for a value that is none of the documented ones.</summary>
    public static bool TryParse(string? sort, string? order, out ListingSort result)
    {
        result = Default;
        ListingSortColumn column;
        switch (sort)
        {
            case null or "" or "name":
                column = ListingSortColumn.Name;
                break;
            case "size":
                column = ListingSortColumn.Size;
                break;
            case "modified":
                column = ListingSortColumn.Modified;
                break;
            default:
                return false;
        }

        bool descending;
        switch (order)
        {
            case null or "" or "asc":
                descending = false;
                break;
            case "desc":
                descending = true;
                break;
            default:
                return false;
        }

        result = new ListingSort(column, descending);
        return true;
    }

    public static string NameOf(ListingSortColumn column) => column switch
    {
        ListingSortColumn.Size => "size",
        ListingSortColumn.Modified => "modified",
        _ => "name",
    };

    /// <summary>The rows in this order; ties by ordinal name, ascending, so the order is the same every time.</summary>
    public List<ListingRow> Apply(IEnumerable<ListingRow> rows)
    {
        var sorted = new List<ListingRow>(rows);
        var (column, descending) = (Column, Descending);
        sorted.Sort((a, b) =>
        {
            if (a.Entry.IsFolder != b.Entry.IsFolder)
            {
                return a.Entry.IsFolder ? -1 : 1;
            }

            var byColumn = column switch
            {
                ListingSortColumn.Size => a.Entry.Length.CompareTo(b.Entry.Length),
                ListingSortColumn.Modified => a.Entry.LastModified.CompareTo(b.Entry.LastModified),
                _ => string.CompareOrdinal(a.Entry.Name, b.Entry.Name),
            };
            if (byColumn != 0)
            {
                return descending ? -byColumn : byColumn;
            }

            // Equal sizes or times stay in name order, whichever way the column goes.
            return string.CompareOrdinal(a.Entry.Name, b.Entry.Name);
        });
        return sorted;
    }
}
