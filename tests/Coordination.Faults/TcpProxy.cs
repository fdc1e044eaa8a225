using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Coordination.Faults;

/// <summary>What the link between a service and PostgreSQL or RabbitMQ does to the bytes.</summary>
public enum LinkState
{
    /// <summary>Bytes flow (after the configured latency).</summary>
    Open,
    /// <summary>Nothing flows either way and new connections hang: a network partition (no RST, no FIN).</summary>
    Partitioned,
    /// <summary>Only the client's bytes are held (server → client flows): a half partition, used to lose acknowledgements.</summary>
    UpstreamHeld,
}

/// <summary>
/// A TCP proxy between one service and one dependency, written for the fault suite. Every connection of the
/// service to that dependency goes through it, so the suite can add latency, reset connections or cut the
/// link without touching the dependency itself.
/// <para>
/// A partition holds bytes rather than dropping them (TCP cannot lose bytes in the middle of a stream); when it
/// heals, every connection that lived through it is reset, as the peers' heartbeats and timeouts would have
/// ended it in a real 60 s partition. Held bytes are never delivered late: a held acknowledgement is lost.
/// </para>
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _open = NewOpen(completed: true);
    private LinkState _state = LinkState.Open;
    private long _ids;
    private long _resets;
    private long _accepted;

    public TcpProxy(string name, int listenPort, IPEndPoint target)
    {
        Name = name;
        ListenPort = listenPort;
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
    }

    public string Name { get; }

    public int ListenPort { get; }

    /// <summary>Added to every chunk in each direction, without slowing throughput (chunks are pipelined).</summary>
    public TimeSpan Latency { get; set; }

    public LinkState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    public long Resets => Interlocked.Read(ref _resets);

    public long Accepted => Interlocked.Read(ref _accepted);

    public int OpenConnections => _connections.Count;

    public void Start()
    {
        _listener.Start(512);
        _ = AcceptLoop();
    }

    /// <summary>Cuts the link (both ways, or only the client's bytes) until <see cref="Heal"/>.</summary>
    public void Partition(LinkState state = LinkState.Partitioned)
    {
        if (state == LinkState.Open) throw new ArgumentException("Use Heal to open the link.", nameof(state));
        lock (_gate)
        {
            _state = state;
            if (_open.Task.IsCompleted) _open = NewOpen(completed: false);
            foreach (var c in _connections.Values) c.SawPartition = true;
        }
    }

    /// <summary>Ends a partition: connections that lived through it are reset, new ones flow again.</summary>
    public void Heal()
    {
        TaskCompletionSource open;
        lock (_gate)
        {
            foreach (var c in _connections.Values.Where(c => c.SawPartition)) c.Reset(ref _resets);
            _state = LinkState.Open;
            open = _open;
        }
        open.TrySetResult();
    }

    /// <summary>Resets every current connection (RST both ways), as a broken network or a middlebox would.</summary>
    public int ResetAll()
    {
        var count = 0;
        foreach (var c in _connections.Values)
        {
            c.Reset(ref _resets);
            count++;
        }
        return count;
    }

    private static TaskCompletionSource NewOpen(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) tcs.SetResult();
        return tcs;
    }

    /// <summary>Waits while bytes in this direction may not flow.</summary>
    private Task WhenPassable(bool upstream)
    {
        lock (_gate)
        {
            var blocked = _state == LinkState.Partitioned || (_state == LinkState.UpstreamHeld && upstream);
            return blocked ? _open.Task : Task.CompletedTask;
        }
    }

    private bool Blocked(bool upstream)
    {
        lock (_gate) return _state == LinkState.Partitioned || (_state == LinkState.UpstreamHeld && upstream);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            var connection = new Connection(Interlocked.Increment(ref _ids), client);
            lock (_gate)
            {
                if (_state != LinkState.Open) connection.SawPartition = true;
                _connections[connection.Id] = connection;
            }
            _ = Run(connection);
        }
    }

    private async Task Run(Connection c)
    {
        try
        {
            // A connection opened during a partition hangs, as a SYN into a black hole would.
            await WhenPassable(upstream: true).WaitAsync(_stop.Token);
            if (c.IsReset) return;
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            c.Server = server;
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                await server.ConnectAsync(_target, connectTimeout.Token);
            }
            c.Client.NoDelay = true;
            await Task.WhenAny(Pump(c, c.Client, server, upstream: true), Pump(c, server, c.Client, upstream: false));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The dependency is down (connection refused) or the connection was reset: the client sees a reset.
            c.Reset(ref _resets);
        }
        finally
        {
            c.Close();
            _connections.TryRemove(c.Id, out _);
        }
    }

    /// <summary>
    /// Reads from one side and writes to the other through a queue, so that latency delays each chunk without
    /// serialising them, and a partition holds them.
    /// </summary>
    private async Task Pump(Connection c, Socket from, Socket to, bool upstream)
    {
        var queue = Channel.CreateUnbounded<(byte[] Data, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (data, due) in queue.Reader.ReadAllAsync(_stop.Token))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                while (Blocked(upstream))
                {
                    await WhenPassable(upstream).WaitAsync(_stop.Token);
                }
                // Bytes held through a partition are never delivered: the connection is reset when it heals.
                if (c.SawPartition || c.IsReset) return;
                var sent = 0;
                while (sent < data.Length) sent += await to.SendAsync(data.AsMemory(sent), SocketFlags.None, _stop.Token);
            }
            to.Shutdown(SocketShutdown.Send);
        });
        try
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0) break;
                queue.Writer.TryWrite((buffer[..read], Environment.TickCount64 + (long)Latency.TotalMilliseconds));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
        }
        try
        {
            await writer;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var c in _connections.Values) c.Close();
        _stop.Dispose();
    }

    private sealed class Connection(long id, Socket client)
    {
        private int _reset;

        public long Id { get; } = id;
        public Socket Client { get; } = client;
        public Socket? Server { get; set; }
        public volatile bool SawPartition;
        public bool IsReset => Volatile.Read(ref _reset) == 1;

        /// <summary>RST to both sides: linger 0 then close.</summary>
        public void Reset(ref long counter)
        {
            if (Interlocked.Exchange(ref _reset, 1) == 1) return;
            Interlocked.Increment(ref counter);
            Abort(Client);
            if (Server is { } s) Abort(s);
        }

        private static void Abort(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Close()
        {
            Client.Dispose();
            Server?.Dispose();
        }
    }
}
