using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>A list of web origins (<c>https://host[:port]</c>, no path) or the single entry <c>*</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OriginListAttribute(string key) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var entries = value as string[] ?? [];
        var errors = new List<string>();
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i] == "*")
            {
                if (entries.Length > 1)
                {
                    errors.Add($"{key}:{i} is '*', which must be the only origin.");
                }

                continue;
            }

            if (!Uri.TryCreate(entries[i], UriKind.Absolute, out var origin)
                || (origin.Scheme != Uri.UriSchemeHttp && origin.Scheme != Uri.UriSchemeHttps)
                || origin.PathAndQuery != "/" || entries[i].EndsWith('/') || origin.UserInfo.Length > 0)
            {
                errors.Add($"{key}:{i} must be an origin such as https://app.example.com or http://127.0.0.1:3000, without a path (was '{entries[i]}').");
            }
        }

        return errors.Count == 0 ? ValidationResult.Success : new ValidationResult(string.Join(" ", errors), [validationContext.MemberName!]);
    }
}
