using LargeFileGateway.Configuration;

namespace LargeFileGateway.Access;

/// <summary>The policy of a key: the rule with the longest matching prefix, else the default.</summary>
internal sealed class AccessRules
{
    // Longest first, so that the first match is the answer.
    private readonly (string Prefix, AccessPolicy Policy)[] _rules;
    private readonly AccessPolicy _default;

    public AccessRules(AccessOptions options)
    {
        _default = options.DefaultPolicy;
        _rules = options.Rules
            .Select(rule => (rule.Prefix, rule.Policy))
            .OrderByDescending(rule => rule.Prefix.Length)
            .ToArray();
        IsEverythingOpen = _default == AccessPolicy.Open && _rules.All(rule => rule.Policy == AccessPolicy.Open);
    }

    /// <summary>True when no key needs anything: the access step costs nothing then.</summary>
    public bool IsEverythingOpen { get; }

    public AccessPolicy PolicyFor(string key)
    {
        foreach (var (prefix, policy) in _rules)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return policy;
            }
        }

        return _default;
    }
}
