using System.Net;

namespace Coordination.Testing;

/// <summary>
/// A plain HTTP server on a free loopback port, standing in for a partner's end (a webhook receiver, an OTLP
/// collector): each request is handed to <see cref="HandleAsync"/>, in the order they arrive.
/// </summary>
public abstract class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    protected LoopbackHttpServer()
    {
        Port = Ports.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }

    /// <summary>Answers one request (and closes its response).</summary>
    protected abstract Task HandleAsync(HttpListenerContext context);

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await HandleAsync(context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        GC.SuppressFinalize(this);
    }
}
