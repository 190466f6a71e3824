using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>Checks <see cref="ListingOptions"/> at start, naming the key.</summary>
internal sealed class ListingOptionsValidator : IValidateOptions<ListingOptions>
{
    public ValidateOptionsResult Validate(string? name, ListingOptions options)
        => options.PageSize is < 1 or > 10_000
            ? ValidateOptionsResult.Fail($"{ListingOptions.SectionName}:PageSize must be between 1 and 10000.")
            : ValidateOptionsResult.Success;
}
