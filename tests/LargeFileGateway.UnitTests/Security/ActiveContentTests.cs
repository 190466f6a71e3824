using LargeFileGateway.Security;

namespace LargeFileGateway.UnitTests.Security;

public sealed class ActiveContentTests
{
    [Theory]
    [InlineData("text/html", true)]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("image/svg+xml", true)]
    [InlineData("IMAGE/SVG+XML", true)]
    [InlineData("application/xhtml+xml", true)]
    [InlineData("text/xml", true)]
    [InlineData("application/xml", true)]
    [InlineData("text/javascript", true)]
    [InlineData("application/x-unknown", true)]
    [InlineData("image/png", false)]
    [InlineData("image/jpeg", false)]
    [InlineData("video/mp4", false)]
    [InlineData("audio/mpeg", false)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain; charset=utf-8", false)]
    [InlineData("application/pdf", false)]
    [InlineData("application/json", false)]
    [InlineData("application/octet-stream", false)]
    public void MayRunScript_MediaType_OnlyPassiveTypesAreSafe(string contentType, bool active)
    {
        Assert.Equal(active, ActiveContent.MayRunScript(contentType));
    }
}
