using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>The annotations of <see cref="EventsOptions"/> and its rule across fields: a bearer token needs a token.</summary>
internal sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    public const int MinTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));
        if (options.Access == EventsAccessMode.BearerToken && (options.Token is null || options.Token.Length < MinTokenLength))
        {
            result.AddError($"{EventsOptions.SectionName}:Token must be at least {MinTokenLength} characters when {EventsOptions.SectionName}:Access is BearerToken.");
        }

        return result.Build();
    }
}
