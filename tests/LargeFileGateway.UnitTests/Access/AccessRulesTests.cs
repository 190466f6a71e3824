using LargeFileGateway.Access;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Access;

public sealed class AccessRulesTests
{
    private static readonly AccessRules s_rules = new(new AccessOptions
    {
        DefaultPolicy = AccessPolicy.Signed,
        Rules =
        [
            new AccessRule { Prefix = "public/", Policy = AccessPolicy.Open },
            new AccessRule { Prefix = "public/private/", Policy = AccessPolicy.Token },
            new AccessRule { Prefix = "api/", Policy = AccessPolicy.SignedOrToken },
        ],
    });

    [Theory]
    [InlineData("public/a.iso", AccessPolicy.Open)]
    [InlineData("public/private/b.iso", AccessPolicy.Token)]
    [InlineData("public/privateer.iso", AccessPolicy.Open)]
    [InlineData("api/x", AccessPolicy.SignedOrToken)]
    [InlineData("publicity.iso", AccessPolicy.Signed)]
    [InlineData("Public/a.iso", AccessPolicy.Signed)]
    [InlineData("other/a.iso", AccessPolicy.Signed)]
    [InlineData("", AccessPolicy.Signed)]
    public void PolicyFor_Key_IsTheLongestMatchingPrefixElseTheDefault(string key, AccessPolicy expected)
        => Assert.Equal(expected, s_rules.PolicyFor(key));

    [Fact]
    public void PolicyFor_RulesListedShortestFirst_StillPicksTheLongest()
    {
        var rules = new AccessRules(new AccessOptions
        {
            Rules =
            [
                new AccessRule { Prefix = "a/", Policy = AccessPolicy.Token },
                new AccessRule { Prefix = "a/b/", Policy = AccessPolicy.Signed },
            ],
        });

        Assert.Equal(AccessPolicy.Signed, rules.PolicyFor("a/b/c"));
        Assert.Equal(AccessPolicy.Token, rules.PolicyFor("a/c"));
        Assert.Equal(AccessPolicy.Open, rules.PolicyFor("b"));
    }

    [Fact]
    public void IsEverythingOpen_DefaultOpenWithOnlyOpenRules_IsTrue()
    {
        Assert.True(new AccessRules(new AccessOptions()).IsEverythingOpen);
        Assert.True(new AccessRules(new AccessOptions { Rules = [new AccessRule { Prefix = "x/", Policy = AccessPolicy.Open }] }).IsEverythingOpen);
        Assert.False(new AccessRules(new AccessOptions { Rules = [new AccessRule { Prefix = "x/", Policy = AccessPolicy.Token }] }).IsEverythingOpen);
        Assert.False(s_rules.IsEverythingOpen);
    }
}
