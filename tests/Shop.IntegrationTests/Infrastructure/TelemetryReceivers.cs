using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Shop.IntegrationTests.Infrastructure.Otlp;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>One span as an OTLP collector received it, with the <c>service.name</c> of the process that sent it.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name,
    Span.Types.SpanKind Kind, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource)
{
    public override string ToString() => $"{Service} {Scope} '{Name}' {Kind} trace={TraceId} span={SpanId} parent={ParentSpanId} " +
        string.Join(' ', Attributes.Select(a => $"{a.Key}={a.Value}"));
}

/// <summary>
/// A real OTLP trace collector on loopback: OTLP/HTTP with protobuf bodies on <see cref="HttpEndpoint"/>
/// (POST /v1/traces) and OTLP/gRPC on <see cref="GrpcEndpoint"/> (HTTP/2 without TLS), both decoded
/// with protobuf code generated from the protocol's messages (Infrastructure/Otlp/trace.proto).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<string> _protocols = new();

    private OtlpReceiver(int httpPort, int grpcPort)
    {
        HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            Receive("http/protobuf", ExportTraceServiceRequest.Parser.ParseFrom(await BodyAsync(http.Request)));
            return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        _app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", async (HttpContext http) =>
        {
            // gRPC framing: a compressed flag and a big-endian length before each message.
            var body = await BodyAsync(http.Request);
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4));
            Receive("grpc", ExportTraceServiceRequest.Parser.ParseFrom(body, 5, length));
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
            http.Response.AppendTrailer("grpc-status", "0");
        });
    }

    public Uri HttpEndpoint { get; }
    public Uri GrpcEndpoint { get; }

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    /// <summary>The protocol of each export request received ("http/protobuf" or "grpc").</summary>
    public IReadOnlyCollection<string> Protocols => _protocols;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver(Loopback.FreePort(), Loopback.FreePort());
        await receiver._app.StartAsync();
        return receiver;
    }

    public IReadOnlyList<ReceivedSpan> Trace(string traceId) => [.. _spans.Where(s => s.TraceId == traceId)];

    private void Receive(string protocol, ExportTraceServiceRequest request)
    {
        _protocols.Enqueue(protocol);
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Flatten(resourceSpans.Resource?.Attributes ?? []);
            var service = resource.GetValueOrDefault("service.name", "");
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    _spans.Enqueue(new ReceivedSpan(service, scopeSpans.Scope?.Name ?? "", Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span), Convert.ToHexStringLower(span.ParentSpanId.Span), span.Name, span.Kind,
                        Flatten(span.Attributes), resource));
                }
            }
        }
    }

    private static Dictionary<string, string> Flatten(IEnumerable<KeyValue> attributes) =>
        attributes.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => Text(g.Last().Value));

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => string.Join(",", value.ArrayValue.Values.Select(Text)),
        _ => "",
    };

    internal static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.ToString() switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress),
            _ => request.Body,
        };
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// A Sentry server's ingestion endpoint on loopback: receives the SDK's envelopes at the DSN's
/// address (POST /api/{project}/envelope/, gzip or not) and keeps every item of type "event".
/// </summary>
public sealed class SentryReceiver : IAsyncDisposable
{
    private const string PublicKey = "b5f3a1c2d4e6f708192a3b4c5d6e7f80";
    private const int ProjectId = 42;
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly ConcurrentQueue<string> _itemTypes = new();

    private SentryReceiver(int port)
    {
        Dsn = $"http://{PublicKey}@127.0.0.1:{port}/{ProjectId}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapPost($"/api/{ProjectId}/envelope/", async (HttpContext http) =>
        {
            foreach (var (type, payload) in Items(await OtlpReceiver.BodyAsync(http.Request)))
            {
                _itemTypes.Enqueue(type);
                if (type == "event")
                {
                    _events.Enqueue(JsonDocument.Parse(payload).RootElement.Clone());
                }
            }

            return Results.Json(new { id = Guid.NewGuid().ToString("N") });
        });
    }

    public string Dsn { get; }

    public IReadOnlyCollection<JsonElement> Events => _events;

    /// <summary>The type of every envelope item received (events, client reports, sessions...).</summary>
    public IReadOnlyCollection<string> ItemTypes => _itemTypes;

    public static async Task<SentryReceiver> StartAsync()
    {
        var receiver = new SentryReceiver(Loopback.FreePort());
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>An envelope: a header line, then per item a header line and a payload (of the header's length, or up to the end of the line).</summary>
    private static IEnumerable<(string Type, byte[] Payload)> Items(byte[] envelope)
    {
        var position = LineEnd(envelope, 0) + 1;
        while (position < envelope.Length)
        {
            var headerEnd = LineEnd(envelope, position);
            using var header = JsonDocument.Parse(envelope.AsMemory(position, headerEnd - position));
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                yield break;
            }

            position = headerEnd + 1;
            var length = header.RootElement.TryGetProperty("length", out var declared) ? declared.GetInt32() : LineEnd(envelope, position) - position;
            yield return (header.RootElement.GetProperty("type").GetString() ?? "", envelope[position..(position + length)]);
            position += length + 1;
        }
    }

    private static int LineEnd(byte[] bytes, int from)
    {
        var end = Array.IndexOf(bytes, (byte)'\n', from);
        return end < 0 ? bytes.Length : end;
    }

    public static string Describe(JsonElement @event) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(@event));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
