using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Coordination.Testing;

namespace Privacy.Tests;

/// <summary>A span as the services' OTLP exporters sent it: the exporting service, the instrumentation scope, and every string in it.</summary>
/// <param name="Text">Name, kind, status message, attributes (key=value), events (name and attributes) and links' attributes.</param>
public sealed record ExportedSpan(string Service, string Scope, string Name, IReadOnlyList<string> AttributeKeys, string Text);

/// <summary>A log record as exported: severity, body (the formatted message), attributes (the structured values) and scopes.</summary>
public sealed record ExportedLog(string Service, string Scope, string Text);

/// <summary>A metric as exported: its name, and its bytes read as UTF-8 (the strings of its data points' attributes among them).</summary>
public sealed record ExportedMetric(string Service, string Scope, string Name, string Text);

/// <summary>
/// A small OTLP/HTTP receiver (protobuf, the collector's <c>/v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c>)
/// standing for the collector the services export to. It keeps every request body as sent and decodes the parts of
/// the OTLP messages a backend shows (resource, scope, spans, events, links, status, log records, metrics and their
/// attributes). <see cref="RawContaining"/> searches the bodies' bytes themselves, so that a string held in a field the
/// decoder does not read is found too: protobuf keeps strings as their UTF-8 bytes.
/// </summary>
public sealed class OtlpReceiver : LoopbackHttpServer
{
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _bodies = new();
    private readonly ConcurrentQueue<ExportedSpan> _spans = new();
    private readonly ConcurrentQueue<ExportedLog> _logs = new();
    private readonly ConcurrentQueue<ExportedMetric> _metrics = new();

    /// <summary>The base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); the exporters add the signal's path.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public IReadOnlyCollection<ExportedSpan> Spans => _spans;

    public IReadOnlyCollection<ExportedLog> Logs => _logs;

    public IReadOnlyCollection<ExportedMetric> Metrics => _metrics;

    /// <summary>Requests received per path (<c>/v1/traces</c>…).</summary>
    public IReadOnlyDictionary<string, int> Requests => _bodies.GroupBy(b => b.Path).ToDictionary(g => g.Key, g => g.Count());

    public long Bytes => _bodies.Sum(b => (long)b.Body.Length);

    public int Malformed => Volatile.Read(ref _malformed);

    private int _malformed;

    /// <summary>The request bodies (by path) whose bytes, read as UTF-8, contain the needle (case ignored).</summary>
    public IReadOnlyList<string> RawContaining(string needle) =>
        _bodies.Where(b => Encoding.UTF8.GetString(b.Body).Contains(needle, StringComparison.OrdinalIgnoreCase)).Select(b => b.Path).ToList();

    /// <summary>The request bodies (by path) that do not contain the needle.</summary>
    public IReadOnlyList<string> RawLacking(string needle) =>
        _bodies.Where(b => !Encoding.UTF8.GetString(b.Body).Contains(needle, StringComparison.OrdinalIgnoreCase)).Select(b => b.Path).ToList();

    /// <summary>Each export is read on its own task: the five services' exporters post concurrently.</summary>
    protected override Task HandleAsync(HttpListenerContext context)
    {
        _ = Task.Run(() => Receive(context));
        return Task.CompletedTask;
    }

    private async Task Receive(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var path = context.Request.Url?.AbsolutePath ?? "";
            _bodies.Enqueue((path, body));
            try
            {
                Decode(path, body);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or OverflowException)
            {
                Interlocked.Increment(ref _malformed);
            }
            // An empty Export*ServiceResponse: everything accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The listener stopped while a request was being read.
        }
    }

    private void Decode(string path, byte[] body)
    {
        // Export*ServiceRequest { repeated Resource* = 1 } → { Resource resource = 1; repeated Scope* = 2 } → { InstrumentationScope scope = 1; repeated item = 2 }
        foreach (var resource in Protobuf.Messages(body, 1))
        {
            var service = ServiceOf(resource);
            foreach (var scoped in Protobuf.Messages(resource, 2))
            {
                var scope = Protobuf.Messages(scoped, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? "";
                foreach (var item in Protobuf.Messages(scoped, 2))
                {
                    switch (path)
                    {
                        case "/v1/traces":
                            _spans.Enqueue(Span(service, scope, item));
                            break;
                        case "/v1/logs":
                            _logs.Enqueue(Log(service, scope, item));
                            break;
                        case "/v1/metrics":
                            _metrics.Enqueue(new ExportedMetric(service, scope, Protobuf.String(item, 1) ?? "", Encoding.UTF8.GetString(item.Span)));
                            break;
                    }
                }
            }
        }
    }

    private static string ServiceOf(ReadOnlyMemory<byte> resource)
    {
        foreach (var r in Protobuf.Messages(resource, 1))
        {
            foreach (var attribute in Protobuf.Messages(r, 1))
            {
                if (Protobuf.String(attribute, 1) == "service.name") return Value(Protobuf.Messages(attribute, 2).FirstOrDefault());
            }
        }
        return "";
    }

    // Span { name = 5; kind = 6; attributes = 9; events = 11 { name = 2; attributes = 3 }; links = 13 { trace_state = 3; attributes = 4 }; status = 15 { message = 2; code = 3 } }
    private static ExportedSpan Span(string service, string scope, ReadOnlyMemory<byte> span)
    {
        var name = Protobuf.String(span, 5) ?? "";
        var keys = new List<string>();
        var parts = new List<string> { name, "kind=" + Protobuf.Varints(span, 6).FirstOrDefault() };
        foreach (var attribute in Protobuf.Messages(span, 9))
        {
            keys.Add(Protobuf.String(attribute, 1) ?? "");
            parts.Add(Attribute(attribute));
        }
        foreach (var e in Protobuf.Messages(span, 11))
        {
            parts.Add("event " + Protobuf.String(e, 2));
            parts.AddRange(Protobuf.Messages(e, 3).Select(Attribute));
        }
        foreach (var link in Protobuf.Messages(span, 13))
        {
            parts.Add("link " + Protobuf.String(link, 3));
            parts.AddRange(Protobuf.Messages(link, 4).Select(Attribute));
        }
        foreach (var status in Protobuf.Messages(span, 15))
        {
            parts.Add($"status {Protobuf.Varints(status, 3).FirstOrDefault()} {Protobuf.String(status, 2)}");
        }
        return new ExportedSpan(service, scope, name, keys, string.Join(" | ", parts));
    }

    // LogRecord { severity_text = 3; body = 5; attributes = 6; event_name = 12 }
    private static ExportedLog Log(string service, string scope, ReadOnlyMemory<byte> record)
    {
        var parts = new List<string> { Protobuf.String(record, 3) ?? "", Value(Protobuf.Messages(record, 5).FirstOrDefault()) };
        parts.AddRange(Protobuf.Messages(record, 6).Select(Attribute));
        parts.Add(Protobuf.String(record, 12) ?? "");
        return new ExportedLog(service, scope, string.Join(" | ", parts));
    }

    // KeyValue { key = 1; value = 2 }
    private static string Attribute(ReadOnlyMemory<byte> keyValue) =>
        $"{Protobuf.String(keyValue, 1)}={Value(Protobuf.Messages(keyValue, 2).FirstOrDefault())}";

    // AnyValue { string = 1; bool = 2; int = 3; double = 4; array = 5 { values = 1 }; kvlist = 6 { values = 1 }; bytes = 7 }
    private static string Value(ReadOnlyMemory<byte> any)
    {
        if (any.IsEmpty) return "";
        if (Protobuf.String(any, 1) is { } text) return text;
        if (Protobuf.Varints(any, 2).Concat(Protobuf.Varints(any, 3)).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault() is { } number)
        {
            return number;
        }
        var array = Protobuf.Messages(any, 5).SelectMany(a => Protobuf.Messages(a, 1)).Select(Value);
        var list = Protobuf.Messages(any, 6).SelectMany(l => Protobuf.Messages(l, 1)).Select(Attribute);
        return "[" + string.Join(", ", array.Concat(list)) + "]";
    }
}

/// <summary>The protobuf wire format, read just enough for OTLP: fields by number, varints, strings and nested messages.</summary>
public static class Protobuf
{
    private readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    private static List<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        var i = 0;
        while (i < span.Length)
        {
            var tag = ReadVarint(span, ref i);
            var number = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(span, ref i), default));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, 0, message.Slice(i, 8)));
                    i += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(span, ref i));
                    if (length < 0 || i + length > span.Length) throw new InvalidDataException("A length past the message's end.");
                    fields.Add(new Field(number, wire, 0, message.Slice(i, length)));
                    i += length;
                    break;
                case 5:
                    fields.Add(new Field(number, wire, 0, message.Slice(i, 4)));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {wire} is not used by OTLP.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (i >= span.Length) throw new InvalidDataException("A varint past the message's end.");
            var b = span[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("A varint longer than 10 bytes.");
    }

    public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int number) =>
        Fields(message).Where(f => f.Number == number && f.WireType == 2).Select(f => f.Bytes);

    public static string? String(ReadOnlyMemory<byte> message, int number) =>
        Messages(message, number).Select(b => Encoding.UTF8.GetString(b.Span)).FirstOrDefault();

    public static IEnumerable<ulong> Varints(ReadOnlyMemory<byte> message, int number) =>
        Fields(message).Where(f => f.Number == number && f.WireType == 0).Select(f => f.Varint);
}
