using LargeFileGateway.Access;
using LargeFileGateway.Configuration;

namespace LargeFileGateway.UnitTests.Access;

public sealed class AccessRulesTests
{
    [Theory]
    [InlineData("public/readme.txt", AccessPolicy.Open)]
    [InlineData("public/private/x.bin", AccessPolicy.Signed)]
    [InlineData("public/private", AccessPolicy.Open)]
    [InlineData("api/data.json", AccessPolicy.Token)]
    [InlineData("other.bin", AccessPolicy.SignedOrToken)]
    [InlineData("publicity.bin", AccessPolicy.SignedOrToken)]
    public void PolicyFor_LongestMatchingPrefixWins_ElseDefault(string key, AccessPolicy expected)
    {
        var rules = new AccessRules(new AccessOptions
        {
            DefaultPolicy = AccessPolicy.SignedOrToken,
            Rules =
            [
                new AccessRule { Prefix = "public/private/", Policy = AccessPolicy.Signed },
                new AccessRule { Prefix = "public/", Policy = AccessPolicy.Open },
                new AccessRule { Prefix = "api/", Policy = AccessPolicy.Token },
            ],
        });

        Assert.Equal(expected, rules.PolicyFor(key));
        Assert.False(rules.IsEverythingOpen);
    }

    [Fact]
    public void IsEverythingOpen_DefaultConfiguration_True()
    {
        Assert.True(new AccessRules(new AccessOptions()).IsEverythingOpen);
        Assert.True(new AccessRules(new AccessOptions { Rules = [new AccessRule { Prefix = "a/" }] }).IsEverythingOpen);
    }

    [Fact]
    public void IsEverythingOpen_OneProtectedFolder_False()
    {
        var rules = new AccessRules(new AccessOptions { Rules = [new AccessRule { Prefix = "private/", Policy = AccessPolicy.Signed }] });

        Assert.False(rules.IsEverythingOpen);
        Assert.Equal(AccessPolicy.Signed, rules.PolicyFor("private/x"));
        Assert.Equal(AccessPolicy.Open, rules.PolicyFor("privately.txt"));
    }

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

    [Theory]
    [InlineData("Public/a.iso")]
    [InlineData("")]
    public void PolicyFor_OtherCaseOrTheRoot_IsTheDefault(string key)
        => Assert.Equal(AccessPolicy.Signed, new AccessRules(new AccessOptions
        {
            DefaultPolicy = AccessPolicy.Signed,
            Rules = [new AccessRule { Prefix = "public/", Policy = AccessPolicy.Open }],
        }).PolicyFor(key));
}
