using System.Globalization;
using LargeFileGateway.Access;
using LargeFileGateway.Security;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Configuration;

/// <summary>
/// The annotations of <see cref="AccessOptions"/> and its rules across fields: keys that can sign, prefixes that can
/// match a normalized key, and a proof for every policy in use. Every error at once, each starting with its key.
/// </summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    /// <summary>Shortest secret: HMAC-SHA256 gains nothing from more than its 32-byte output, and loses from less.</summary>
    public const int MinSecretBytes = 32;

    private const string KeysKey = AccessOptions.SectionName + ":Keys";
    private const string RulesKey = AccessOptions.SectionName + ":Rules";
    private const string TokenKey = AccessOptions.SectionName + ":Token";

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(AnnotatedOptionsValidator.Instance.Validate(name, options));

        foreach (var (keyId, secret) in options.Keys)
        {
            if (!SignedLink.IsValidKeyId(keyId))
            {
                result.AddError($"{KeysKey}:{keyId} is not a valid key id: 1-{SignedLink.MaxKeyIdLength} of A-Z a-z 0-9 . _ - (it is the kid= of links).");
            }

            if (!TryDecodeSecret(secret, out _))
            {
                result.AddError($"{KeysKey}:{keyId} must be a base64 secret of at least {MinSecretBytes} bytes (openssl rand -base64 32).");
            }
        }

        ValidateRules(options, result);

        var policies = options.Rules.Select((rule, index) => (Key: $"{RulesKey}:{index.ToString(CultureInfo.InvariantCulture)}:Policy", Policy: rule.Policy))
            .Prepend((Key: $"{AccessOptions.SectionName}:DefaultPolicy", Policy: options.DefaultPolicy))
            .ToList();
        var needsKeys = policies.FirstOrDefault(p => p.Policy is AccessPolicy.Signed or AccessPolicy.SignedOrToken);
        if (needsKeys.Key is not null && options.Keys.Count == 0)
        {
            result.AddError($"{KeysKey} names no key, but {needsKeys.Key} is {needsKeys.Policy}: no signed link could ever be valid.");
        }

        var needsTokens = policies.FirstOrDefault(p => p.Policy is AccessPolicy.Token or AccessPolicy.SignedOrToken);
        if (needsTokens.Key is not null && !options.Token.IsConfigured)
        {
            result.AddError($"{TokenKey} needs an Issuer, an Audience and at least one of SigningKeys or PublicKeys, because {needsTokens.Key} is {needsTokens.Policy}.");
        }

        return result.Build();
    }

    /// <summary>A secret of <c>Gateway:Access:Keys</c>: standard base64 of at least <see cref="MinSecretBytes"/> bytes.</summary>
    public static bool TryDecodeSecret(string? secret, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(secret))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(secret);
        }
        catch (FormatException)
        {
            return false;
        }

        return bytes.Length >= MinSecretBytes;
    }

    private static void ValidateRules(AccessOptions options, ValidateOptionsResultBuilder result)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var index = 0; index < options.Rules.Count; index++)
        {
            var rule = options.Rules[index];
            var ruleKey = $"{RulesKey}:{index.ToString(CultureInfo.InvariantCulture)}";
            if (!Enum.IsDefined(rule.Policy))
            {
                result.AddError($"{ruleKey}:Policy must be Open, Signed, Token or SignedOrToken.");
            }

            if (!IsNormalizedPrefix(rule.Prefix))
            {
                result.AddError($"{ruleKey}:Prefix '{rule.Prefix}' is not a normalized key prefix: no leading '/', no '//', no '.' or '..' names, no dot-folders, no '\\' or escapes ('' or like public/).");
            }
            else if (!seen.TryAdd(rule.Prefix, index))
            {
                result.AddError($"{ruleKey}:Prefix '{rule.Prefix}' is also the prefix of {RulesKey}:{seen[rule.Prefix].ToString(CultureInfo.InvariantCulture)}: which policy applies would be unclear.");
            }
        }
    }

    /// <summary>
    /// "" (every key), or what the path normalization makes of itself, optionally ending in '/': compared byte for
    /// byte with normalized keys, any other spelling would never match (or match what was not meant).
    /// </summary>
    private static bool IsNormalizedPrefix(string? prefix)
    {
        if (prefix is null)
        {
            return false;
        }

        if (prefix.Length == 0)
        {
            return true;
        }

        var body = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        return StorageKey.TryNormalize(body, out var normalized) == StorageKeyVerdict.Valid && string.Equals(normalized, body, StringComparison.Ordinal);
    }
}
