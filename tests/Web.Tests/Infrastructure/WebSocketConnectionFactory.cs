using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Events.Web.Tests.Infrastructure;

/// <summary>
/// Lets the official SignalR client (Client.Core) speak over a plain <see cref="ClientWebSocket"/>,
/// skipping negotiate, as browsers with skipNegotiation do. The restorable client package lacks the
/// HTTP connection layer, so this is the transport: a duplex pipe pumped to and from the socket.
/// </summary>
public sealed class WebSocketConnectionFactory(Uri hubUrl, string? accessToken, string? origin = null, string? cookie = null) : IConnectionFactory
{
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        if (cookie is not null)
        {
            // As a browser sends its cookies (the viewer cookie among them) with the upgrade.
            socket.Options.SetRequestHeader("Cookie", cookie);
        }
        var builder = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws" };
        if (accessToken is not null)
        {
            builder.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }
        await socket.ConnectAsync(builder.Uri, cancellationToken);
        return new WebSocketConnection(socket);
    }

    private sealed class WebSocketConnection : ConnectionContext
    {
        private readonly ClientWebSocket socket;
        private readonly Pipe fromServer = new();
        private readonly Pipe toServer = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Task receiving;
        private readonly Task sending;

        public WebSocketConnection(ClientWebSocket socket)
        {
            this.socket = socket;
            Transport = new DuplexPipe(fromServer.Reader, toServer.Writer);
            receiving = ReceiveAsync();
            sending = SendAsync();
        }

        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; }

        private async Task ReceiveAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var memory = fromServer.Writer.GetMemory(8192);
                    var result = await socket.ReceiveAsync(memory, stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    fromServer.Writer.Advance(result.Count);
                    if (result.EndOfMessage && (await fromServer.Writer.FlushAsync()).IsCompleted)
                    {
                        break;
                    }
                }
                await fromServer.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await fromServer.Writer.CompleteAsync(e is OperationCanceledException ? null : e);
            }
        }

        private async Task SendAsync()
        {
            try
            {
                while (true)
                {
                    var result = await toServer.Reader.ReadAsync(stop.Token);
                    foreach (var segment in result.Buffer)
                    {
                        await socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, stop.Token);
                    }
                    toServer.Reader.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }
            }
            catch (Exception)
            {
                // The socket is gone; the receive side reports the end of the connection.
            }
            finally
            {
                await toServer.Reader.CompleteAsync();
            }
        }

        public override async ValueTask DisposeAsync()
        {
            toServer.Writer.Complete();
            var closed = Task.WhenAll(receiving, sending);
            if (await Task.WhenAny(closed, Task.Delay(2000)) != closed)
            {
                stop.Cancel();
            }
            socket.Abort();
            socket.Dispose();
            stop.Dispose();
        }

        public override void Abort()
        {
            stop.Cancel();
            socket.Abort();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
