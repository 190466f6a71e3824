using LargeFileGateway.Http;
using LargeFileGateway.Storage;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Http;

/// <summary>RFC 9110 §13.2.2: every conditional field, their precedence, and If-Range (§13.1.5).</summary>
public sealed class PreconditionsTests
{
    private const string Current = "\"v2\"";
    private const string Old = "\"v1\"";
    private static readonly DateTimeOffset Modified = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly FileMetadata File = new("a.bin", 100, Modified, new EntityTagHeaderValue(Current));
    private static readonly string ModifiedDate = HeaderUtilities.FormatDate(Modified);
    private static readonly string Earlier = HeaderUtilities.FormatDate(Modified.AddHours(-1));
    private static readonly string Later = HeaderUtilities.FormatDate(Modified.AddHours(1));

    public static TheoryData<string, string, string> Cases() => new()
    {
        // No conditions at all.
        { "", "", nameof(PreconditionOutcome.Proceed) },

        // If-Match: strong comparison.
        { "If-Match", Current, nameof(PreconditionOutcome.Proceed) },
        { "If-Match", "*", nameof(PreconditionOutcome.Proceed) },
        { "If-Match", $"{Old}, {Current}", nameof(PreconditionOutcome.Proceed) },
        { "If-Match", Old, nameof(PreconditionOutcome.PreconditionFailed) },
        { "If-Match", "W/" + Current, nameof(PreconditionOutcome.PreconditionFailed) },
        { "If-Match", "garbage", nameof(PreconditionOutcome.PreconditionFailed) },

        // If-Unmodified-Since.
        { "If-Unmodified-Since", ModifiedDate, nameof(PreconditionOutcome.Proceed) },
        { "If-Unmodified-Since", Later, nameof(PreconditionOutcome.Proceed) },
        { "If-Unmodified-Since", Earlier, nameof(PreconditionOutcome.PreconditionFailed) },
        { "If-Unmodified-Since", "not a date", nameof(PreconditionOutcome.Proceed) },

        // If-None-Match: weak comparison, 304 for GET/HEAD.
        { "If-None-Match", Current, nameof(PreconditionOutcome.NotModified) },
        { "If-None-Match", "W/" + Current, nameof(PreconditionOutcome.NotModified) },
        { "If-None-Match", "*", nameof(PreconditionOutcome.NotModified) },
        { "If-None-Match", $"{Old}, {Current}", nameof(PreconditionOutcome.NotModified) },
        { "If-None-Match", Old, nameof(PreconditionOutcome.Proceed) },
        { "If-None-Match", "garbage", nameof(PreconditionOutcome.Proceed) },

        // If-Modified-Since.
        { "If-Modified-Since", ModifiedDate, nameof(PreconditionOutcome.NotModified) },
        { "If-Modified-Since", Later, nameof(PreconditionOutcome.NotModified) },
        { "If-Modified-Since", Earlier, nameof(PreconditionOutcome.Proceed) },
        { "If-Modified-Since", "not a date", nameof(PreconditionOutcome.Proceed) },

        // Precedence: If-Unmodified-Since is ignored when If-Match is present (§13.2.2 step 2).
        { $"If-Match|If-Unmodified-Since", $"{Current}|{Earlier}", nameof(PreconditionOutcome.Proceed) },
        { $"If-Match|If-Unmodified-Since", $"{Old}|{Later}", nameof(PreconditionOutcome.PreconditionFailed) },

        // Precedence: If-Modified-Since is ignored when If-None-Match is present (§13.2.2 step 4).
        { $"If-None-Match|If-Modified-Since", $"{Old}|{Later}", nameof(PreconditionOutcome.Proceed) },
        { $"If-None-Match|If-Modified-Since", $"{Current}|{Earlier}", nameof(PreconditionOutcome.NotModified) },

        // Precedence: 412 from If-Match wins over 304 from If-None-Match (step 1 before step 3).
        { $"If-Match|If-None-Match", $"{Old}|{Current}", nameof(PreconditionOutcome.PreconditionFailed) },
        { $"If-Match|If-None-Match", $"{Current}|{Current}", nameof(PreconditionOutcome.NotModified) },
        { $"If-Unmodified-Since|If-None-Match", $"{Earlier}|{Current}", nameof(PreconditionOutcome.PreconditionFailed) },
        { $"If-Unmodified-Since|If-Modified-Since", $"{Later}|{Later}", nameof(PreconditionOutcome.NotModified) },
        { $"If-Unmodified-Since|If-Modified-Since", $"{Earlier}|{Later}", nameof(PreconditionOutcome.PreconditionFailed) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Conditions_FollowRfc9110Order(string names, string values, string expected)
    {
        var headers = Headers(names, values);

        var outcome = Preconditions.Evaluate(headers, File.ETag, File.LastModified);

        Assert.Equal(expected, outcome.ToString());
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(Current, true)]
    [InlineData(Old, false)]
    [InlineData("W/" + Current, false)]
    [InlineData("garbage", false)]
    [InlineData("\"unterminated", false)]
    public void IfRangeAllowsRange_EntityTags_UseStrongComparison(string? ifRange, bool expected)
    {
        var headers = Headers(ifRange is null ? "" : "If-Range", ifRange ?? "");

        var allowed = Preconditions.IfRangeAllowsRange(headers, File.ETag, File.LastModified, Modified.AddDays(1));

        Assert.Equal(expected, allowed);
    }

    [Fact]
    public void IfRangeAllowsRange_ExactLastModified_Allows()
    {
        var headers = Headers("If-Range", ModifiedDate);

        Assert.True(Preconditions.IfRangeAllowsRange(headers, File.ETag, File.LastModified, Modified.AddDays(1)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(3600)]
    public void IfRangeAllowsRange_AnyOtherDate_Refuses(int offsetSeconds)
    {
        // ASP.NET's old "not newer than" rule let a future date through; RFC 9110 §13.1.5 asks for an exact match.
        var headers = Headers("If-Range", HeaderUtilities.FormatDate(Modified.AddSeconds(offsetSeconds)));

        Assert.False(Preconditions.IfRangeAllowsRange(headers, File.ETag, File.LastModified, Modified.AddDays(1)));
    }

    [Fact]
    public void IfRangeAllowsRange_DateOfFileModifiedThisVerySecond_RefusesAsWeak()
    {
        // RFC 9110 §8.8.2.2: a Last-Modified less than a second old is weak and cannot validate If-Range.
        var headers = Headers("If-Range", ModifiedDate);

        Assert.False(Preconditions.IfRangeAllowsRange(headers, File.ETag, File.LastModified, Modified.AddMilliseconds(500)));
    }

    private static RequestHeaders Headers(string names, string values)
    {
        var dictionary = new HeaderDictionary();
        if (names.Length > 0)
        {
            var nameList = names.Split('|');
            var valueList = values.Split('|');
            for (var i = 0; i < nameList.Length; i++)
            {
                dictionary[nameList[i]] = valueList[i];
            }
        }

        return new RequestHeaders(dictionary);
    }
}
