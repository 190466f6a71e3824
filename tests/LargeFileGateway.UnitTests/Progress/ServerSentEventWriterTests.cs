using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using LargeFileGateway.Progress;

namespace LargeFileGateway.UnitTests.Progress;

public sealed class ServerSentEventWriterTests
{
    [Fact]
    public async Task WriteEvent_AllFields_WritesEventIdRetryAndDataThenBlankLine()
    {
        var item = new SseItem<string>("{\"a\":1}", "progress") { EventId = "19a-7", ReconnectionInterval = TimeSpan.FromSeconds(3) };

        var text = await WriteAsync(writer => ServerSentEventWriter.WriteEvent(writer, item));

        Assert.Equal("event: progress\nid: 19a-7\nretry: 3000\ndata: {\"a\":1}\n\n", text);
    }

    [Fact]
    public async Task WriteEvent_EmptyData_WritesNoDataLineSoBrowsersDispatchNothing()
    {
        var text = await WriteAsync(writer => ServerSentEventWriter.WriteEvent(writer, new SseItem<string>(string.Empty) { ReconnectionInterval = TimeSpan.FromSeconds(3) }));

        Assert.Equal("retry: 3000\n\n", text);
    }

    [Fact]
    public async Task WriteEvent_DataWithLineBreaks_WritesOneDataLinePerLine()
    {
        var text = await WriteAsync(writer => ServerSentEventWriter.WriteEvent(writer, new SseItem<string>("one\r\ntwo\nthree", "x")));

        Assert.Equal("event: x\ndata: one\ndata: two\ndata: three\n\n", text);
    }

    [Fact]
    public async Task WriteComment_WritesACommentBlock()
    {
        var text = await WriteAsync(writer => ServerSentEventWriter.WriteComment(writer, "heartbeat"));

        Assert.Equal(": heartbeat\n\n", text);
    }

    private static async Task<string> WriteAsync(Action<PipeWriter> write)
    {
        var pipe = new Pipe();
        write(pipe.Writer);
        await pipe.Writer.CompleteAsync();
        using var stream = pipe.Reader.AsStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
