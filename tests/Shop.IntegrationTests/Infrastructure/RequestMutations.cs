using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shop.Api.Infrastructure;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>One operation of the OpenAPI document, as the fuzzer reads it: its parameters, and its body's example and schema.</summary>
public sealed class ApiOperation
{
    private readonly JsonElement _schemas;

    private ApiOperation(string method, string path, JsonElement definition, JsonElement schemas)
    {
        Method = method.ToUpperInvariant();
        Path = path;
        _schemas = schemas;
        NeedsToken = definition.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
        Parameters = definition.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Select(p => new ApiParameter(
                p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                p.TryGetProperty("schema", out var schema) && schema.TryGetProperty("type", out var type) ? type.ToString() : null,
                p.TryGetProperty("schema", out schema) && schema.TryGetProperty("format", out var format) ? format.GetString() : null,
                p.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.True)).ToList()
            : [];
        if (definition.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out var json))
        {
            BodyExample = json.TryGetProperty("example", out var example) ? JsonNode.Parse(example.GetRawText()) : new JsonObject();
            BodySchema = json.TryGetProperty("schema", out var schema) ? Resolve(schema) : null;
        }
    }

    public string Method { get; }

    /// <summary>The path template as the document writes it: <c>/api/v1/orders/{id}/cancel</c>.</summary>
    public string Path { get; }

    public string Key => DeclaredResponses.Key(Method, Path);

    public bool NeedsToken { get; }

    public bool IsRead => Method is "GET" or "HEAD";

    public IReadOnlyList<ApiParameter> Parameters { get; }

    public bool TakesBody => BodyExample is not null;

    /// <summary>The document's example of the body, null when the operation takes none.</summary>
    public JsonNode? BodyExample { get; }

    public JsonElement? BodySchema { get; }

    public IEnumerable<ApiParameter> In(string where) => Parameters.Where(p => p.In == where);

    public static IReadOnlyList<ApiOperation> Read(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        return document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => new ApiOperation(operation.Name, path.Name, operation.Value, schemas)))
            .ToList();
    }

    /// <summary>A schema with its <c>$ref</c> followed, and a nullable <c>oneOf</c> reduced to its non-null member.</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Resolve(_schemas.GetProperty(reference.GetString()!.Split('/')[^1]));
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var members = oneOf.EnumerateArray().Where(s => !(s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null")).ToList();
            return members.Count == 1 ? Resolve(members[0]) : schema;
        }

        return schema;
    }

    public override string ToString() => Key;
}

public sealed record ApiParameter(string Name, string In, string? Type, string? Format, bool Required);

/// <summary>
/// A request the fuzzer sends, complete enough to be sent again. Path values not overridden, and the
/// role's token unless <see cref="WithoutToken"/>, are added when it is sent.
/// </summary>
public sealed record FuzzRequest(string Mutation, bool MayBeAccepted)
{
    /// <summary>Path parameters the mutation replaced, already escaped for the URL.</summary>
    public IReadOnlyDictionary<string, string> PathValues { get; init; } = new Dictionary<string, string>();

    /// <summary>The query string, with its '?', already escaped.</summary>
    public string Query { get; init; } = "";

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header of the body; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>Sends the body without a Content-Length (chunked), as a stream whose size the server learns only by reading it.</summary>
    public bool UnknownLength { get; init; }

    /// <summary>The role's bearer token is left out (the mutation sends its own Authorization, or none).</summary>
    public bool WithoutToken { get; init; }

    /// <summary>A webhook: the body is signed with the host's secret when sent, unless the mutation sets the signature.</summary>
    public bool SignBody { get; init; }

    public override string ToString() => Mutation;
}

/// <summary>A valid request to start from: its body (the document's example with real ids) and the headers it needs.</summary>
public sealed record BaseRequest(JsonNode? Body, IReadOnlyList<KeyValuePair<string, string>> Headers, bool SignBody = false);

/// <summary>
/// Bad requests made from a valid one, chosen by a seeded <see cref="Random"/>: per property of the
/// body (wrong types, null, removed, huge, control characters, number limits, odd and extra fields),
/// the whole body (deep nesting, not JSON, empty, an array or a string instead of an object, above
/// 1 MiB, bad UTF-8), the headers (content types and charsets, tokens, Idempotency-Key, If-Match,
/// signatures, junk), path parameters and query strings. Each one says whether it might still be
/// accepted (<see cref="FuzzRequest.MayBeAccepted"/>): a hint for batching, never a check.
/// </summary>
public static class RequestMutations
{
    private const int Huge = 100_000;
    private const int Deep = 5_000;

    private static readonly string[] ControlTexts = ["\u0000", "Ann\u0000Example", "\u0001", "\u001b[31mred", "\u007f", "\u0085", "a\u009fb", "\ud800 lone surrogate"];
    private static readonly string[] OddTexts =
    [
        "ünïcödé ✓", "\u202eevil", "🛒🛒", "\u200b", "' OR '1'='1", "<script>alert(1)</script>", "../../../etc/passwd", "%00", "null",
        "{{7*7}}", "  padded  ", "A", "\ufeffbom", "tab\there", "line\nbreak", "Ω≈ç√∫", "\u0130stanbul",
    ];

    private static readonly string[] NumberTexts =
    [
        "0", "-1", "1", "1000", "1001", "2147483647", "-0", "1E2",
        "1e308", "-1e308", "1e-30", "2147483648", "-2147483649", "9223372036854775808", "79228162514264337593543950336", "1e400",
        "0.30000000000000000000000000004", "19.999", "0.001", "123456789012345678901234567890.5", "-79228162514264337593543950336",
    ];

    private static readonly string[] ExtraNames = ["role", "isActive", "id", "userId", "__proto__", "$type", "constructor", "status", "passwordHash", "totalMinor", "reserved", "unknownField"];

    private static readonly string[] JunkHeaders =
    [
        "Accept", "Accept-Language", "Accept-Charset", "Accept-Encoding", "If-None-Match", "If-Match", "If-Modified-Since", "Range", "Cookie", "Origin",
        "Referer", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-HTTP-Method-Override", "Idempotency-Key", "traceparent",
        "tracestate", "baggage", "Authorization", "Prefer", "Forwarded", "Via",
    ];

    /// <summary>The valid request itself.</summary>
    public static FuzzRequest Base(BaseRequest baseRequest)
    {
        var body = baseRequest.Body?.ToJsonString();
        return new FuzzRequest("the valid request", true)
        {
            Headers = baseRequest.Headers,
            Body = body is null ? null : Encoding.UTF8.GetBytes(body),
            ContentType = body is null ? null : "application/json",
            SignBody = baseRequest.SignBody,
        };
    }

    public static IReadOnlyList<FuzzRequest> For(ApiOperation operation, BaseRequest baseRequest, Random random, int count, IReadOnlyList<string> knownIds)
    {
        var start = Base(baseRequest);
        var context = new Context(operation, baseRequest, start, random, knownIds);

        // A sample of each kind; then, up to the count, one property after another (all of them, in a
        // random order, again and again), or junk headers and queries when there is no body.
        var chosen = new List<FuzzRequest>();
        if (operation.TakesBody)
        {
            chosen.AddRange(Sample(random, context.WholeBody(), 18));
            chosen.AddRange(Sample(random, context.ContentTypes(), 6));
        }

        // Without a body, all there is to vary is the token, the path, the headers and the query.
        chosen.AddRange(Sample(random, context.Tokens(), operation.TakesBody ? 3 : 6));
        chosen.AddRange(Sample(random, context.DocumentedHeaders(), 4));
        chosen.AddRange(Sample(random, context.Accepts(), 2));
        chosen.AddRange(operation.In("path").SelectMany(p => Sample(random, context.PathValues(p), operation.TakesBody ? 4 : 15)));
        chosen.AddRange(operation.In("query").SelectMany(p => Sample(random, context.QueryValues(p), 4)));
        if (operation.In("query").Any())
        {
            chosen.AddRange(Sample(random, context.QueryShapes(), 3));
        }

        chosen = Sample(random, chosen, operation.TakesBody ? count - 20 : count);
        var properties = operation.TakesBody ? context.PropertyPaths() : [];
        var next = 0;
        while (chosen.Count < count)
        {
            if (properties.Count > 0 && random.Next(10) < 8)
            {
                if (next % properties.Count == 0)
                {
                    Shuffle(random, properties);
                }

                chosen.Add(context.PropertyMutation(properties[next++ % properties.Count]));
            }
            else
            {
                chosen.Add(random.Next(3) == 0 ? context.JunkQuery() : context.JunkHeader());
            }
        }

        Shuffle(random, chosen);
        return chosen;
    }

    private static List<T> Sample<T>(Random random, IEnumerable<T> items, int count)
    {
        var list = items.ToList();
        Shuffle(random, list);
        return list.Take(count).ToList();
    }

    private static void Shuffle<T>(Random random, IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private sealed class Context(ApiOperation operation, BaseRequest baseRequest, FuzzRequest start, Random random, IReadOnlyList<string> knownIds)
    {
        private string BaseJson => baseRequest.Body!.ToJsonString();

        private FuzzRequest Body(string mutation, bool mayBeAccepted, byte[] bytes, string? contentType = "application/json", bool unknownLength = false) =>
            start with { Mutation = mutation, MayBeAccepted = mayBeAccepted, Body = bytes, ContentType = contentType, UnknownLength = unknownLength };

        private FuzzRequest Body(string mutation, bool mayBeAccepted, string text) => Body(mutation, mayBeAccepted, Encoding.UTF8.GetBytes(text));

        private FuzzRequest Header(string mutation, bool mayBeAccepted, string name, string value) =>
            start with { Mutation = mutation, MayBeAccepted = mayBeAccepted, Headers = [.. start.Headers.Where(h => !h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)), new(name, value)] };

        /// <summary>The body as a whole: nesting, not JSON, other JSON kinds, sizes, encodings.</summary>
        public IEnumerable<FuzzRequest> WholeBody()
        {
            var json = BaseJson;
            var inner = json.Length > 2 ? json[1..^1] : "";
            var separator = inner.Length > 0 ? "," : "";
            yield return Body($"{Deep} nested arrays", false, new string('[', Deep) + new string(']', Deep));
            yield return Body($"{Deep} nested objects", false, string.Concat(Enumerable.Repeat("{\"a\":", Deep)) + "1" + new string('}', Deep));
            yield return Body($"a property of {Deep} nested arrays", false, $"{{{inner}{separator}\"nested\":{new string('[', Deep)}{new string(']', Deep)}}}");
            yield return Body("not JSON", false, "not json");
            yield return Body("XML", false, "<order><id>1</id></order>");
            yield return Body("truncated JSON", false, json[..(json.Length / 2)]);
            yield return Body("JSON5 (single quotes, bare names, comments)", false, "{'a': 1, b: 2 /* c */}");
            yield return Body("empty body", false, []);
            yield return Body("whitespace only", false, "  \r\n\t ");
            yield return Body("a JSON array of the body", false, $"[{json}]");
            yield return Body("an empty JSON array", false, "[]");
            yield return Body("a JSON string", false, "\"text\"");
            yield return Body("a JSON number", false, "12");
            yield return Body("JSON true", false, "true");
            yield return Body("JSON null", true, "null");
            yield return Body("an empty object", true, "{}");
            yield return Body("trailing garbage", false, json + " x");
            yield return Body("two bodies", false, json + json);
            yield return Body("a comment before the body", false, "/* c */" + json);
            yield return Body("a UTF-8 byte order mark", true, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);
            yield return Body("UTF-16 without a charset", false, Encoding.Unicode.GetBytes(json));
            yield return Body("UTF-16 with charset=utf-16", false, Encoding.Unicode.GetBytes(json), "application/json; charset=utf-16");
            yield return Body("invalid UTF-8 in a string", true, Encoding.UTF8.GetBytes($"{{{inner}{separator}\"x\":\"").Concat(new byte[] { 0xC3, 0x28, 0xFF, 0xFE }).Concat("\"}"u8.ToArray()).ToArray());
            yield return Body("a raw control character in a string", true, $"{{{inner}{separator}\"x\":\"a\u0001b\"}}");
            if (baseRequest.Body is JsonObject { Count: > 0 } properties)
            {
                var (firstName, firstValue) = properties.First();
                yield return Body("a first property repeated", true, $"{{{JsonSerializer.Serialize(firstName)}:{firstValue?.ToJsonString() ?? "null"},{inner}}}");
            }

            yield return Body("20,000 extra properties", true, $"{{{inner}{separator}{string.Join(',', Enumerable.Range(0, 20_000).Select(i => $"\"p{i}\":{i}"))}}}");
            yield return Body("a 10,000-digit number", true, $"{{{inner}{separator}\"n\":{new string('9', 10_000)}}}");
            var pad = new string('x', (int)ErrorHandling.MaxRequestBodyBytes + 1024);
            yield return Body("above 1 MiB", false, $"{{\"pad\":\"{pad}\"{separator}{inner}}}");
            if (random.Next(4) == 0)
            {
                yield return Body("above 1 MiB, chunked", true, Encoding.UTF8.GetBytes($"{{\"pad\":\"{pad}\"{separator}{inner}}}"), unknownLength: true);
            }
        }

        public IEnumerable<FuzzRequest> ContentTypes()
        {
            (string? Type, bool MayBeAccepted)[] types =
            [
                ("text/plain", false), ("application/xml", false), ("application/x-www-form-urlencoded", false), ("multipart/form-data; boundary=x", false),
                (null, false), ("", false), ("application/json; charset=bogus", false), ("application/json; charset=utf-7", false),
                ("application/json; charset=latin1", false), ("application/json; charset=\"utf-8\"", true), ("APPLICATION/JSON; CHARSET=UTF-8", true),
                ("application/vnd.shop+json", true), ("application/json; foo=bar", true), ("application/json;", true), ("application/json; charset=\"bogus", true),
                ("*/*", false), ("application/jsonx", false), ("application/json; charset=utf-8; charset=utf-16", true),
            ];
            foreach (var (type, mayBeAccepted) in types)
            {
                yield return start with { Mutation = $"Content-Type: {type ?? "(none)"}", MayBeAccepted = mayBeAccepted, ContentType = type };
            }
        }

        /// <summary>Bad bearer tokens, or none: 401 where a token is needed.</summary>
        public IEnumerable<FuzzRequest> Tokens()
        {
            var accepted = !operation.NeedsToken;
            yield return start with { Mutation = "no token", MayBeAccepted = accepted, WithoutToken = true };
            foreach (var value in new[]
                     {
                         "Bearer garbage", $"Bearer {new string('a', 8_000)}", "Basic dXNlcjpwYXNz", "Bearer", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
                         "Bearer a\u0001b", "bearer  ", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo",
                     })
            {
                yield return Header($"Authorization: {Shorten(value)}", accepted, "Authorization", value) with { WithoutToken = true };
            }
        }

        /// <summary>Accept headers that name no JSON type: the answer is JSON all the same, problems included.</summary>
        public IEnumerable<FuzzRequest> Accepts()
        {
            foreach (var value in new[] { "text/html", "application/xml", "image/png", "text/plain;q=0.5, application/xml", "text/*", "application/json;q=0", "*/*;q=abc" })
            {
                yield return Header($"Accept: {value}", true, "Accept", value);
            }
        }

        /// <summary>Bad values of the headers the document names for this operation.</summary>
        public IEnumerable<FuzzRequest> DocumentedHeaders()
        {
            foreach (var header in operation.In("header"))
            {
                string[] values = header.Name switch
                {
                    "Idempotency-Key" => ["", new string('k', 300), "key\u0001", "key\u0000"],
                    "If-Match" => ["garbage", "\"-1-0\"", "W/\"abc\"", "99999999999999999999", "\"\"", "\u0001"],
                    "If-None-Match" => ["garbage", "\"1-0\", garbage", new string('"', 5_000), "\u0001"],
                    _ => ["garbage", "t=0,v1=00", "t=99999999999999999999,v1=ab", "v1=", "t=,v1=", new string('t', 10_000)],
                };
                foreach (var value in values)
                {
                    yield return Header($"{header.Name}: {Shorten(value)}", false, header.Name, value);
                }

                if (header.Name == "Idempotency-Key")
                {
                    yield return Header("Idempotency-Key: non-ASCII", true, header.Name, "ключ-" + random.Next());
                    yield return Header("Idempotency-Key: 255 chars", true, header.Name, new string('k', 250) + random.Next(10_000, 99_999));
                }
            }
        }

        public IEnumerable<FuzzRequest> PathValues(ApiParameter parameter)
        {
            (string Value, bool MayBeAccepted)[] values =
            [
                ("not-a-uuid", false), (Guid.Empty.ToString(), false), (new string('a', 3_000), false),
                ("a%01b", false), ("%E2%80%AE", false), ("..%2F..%2Fadmin", false), ("%20", false), ("-1", false), ("99999999999999999999999", false),
                ("%25", false), ("null", false), ("sandbox", true), (RandomGuid(random), false),
                (knownIds.Count > 0 && operation.Method != "DELETE" ? knownIds[random.Next(knownIds.Count)] : RandomGuid(random), true),
            ];
            foreach (var (value, mayBeAccepted) in values)
            {
                yield return start with
                {
                    Mutation = $"path {parameter.Name}={Shorten(value)}", MayBeAccepted = mayBeAccepted,
                    PathValues = new Dictionary<string, string> { [parameter.Name] = value },
                };
            }
        }

        public IEnumerable<FuzzRequest> QueryValues(ApiParameter parameter)
        {
            string[] values = (parameter.Type, parameter.Format) switch
            {
                ("integer", _) => ["-1", "0", "abc", "99999999999", "1.5", "", "%00", "1e3", "0x10", "%201", "101", "-5"],
                ("number", _) => ["abc", "1e400", "-1", "NaN", "Infinity", "1,5", "1e-30", "0.001", "79228162514264337593543950336", "%00"],
                ("boolean", _) => ["maybe", "2", "", "%00", "yes"],
                (_, "uuid") => ["not-a-uuid", "%7B%7D", "0199a6b2", "%00", Guid.Empty.ToString()],
                _ => ["%00", "a%01b", new string('q', 10_000), "garbage", "%27%20OR%201%3D1--", "%E2%80%AE", "%zz", "%", "%C3%28"],
            };
            foreach (var value in values)
            {
                yield return start with { Mutation = $"query {parameter.Name}={Shorten(value)}", MayBeAccepted = true, Query = $"?{parameter.Name}={value}" };
            }
        }

        /// <summary>The query string as a whole: repeated, unknown, huge.</summary>
        public IEnumerable<FuzzRequest> QueryShapes()
        {
            var name = operation.In("query").First().Name;
            yield return start with { Mutation = $"query {name} twice", MayBeAccepted = true, Query = $"?{name}=1&{name}=2" };
            yield return start with { Mutation = "an unknown query parameter", MayBeAccepted = true, Query = "?unknown=1" };
            yield return start with { Mutation = "a 30,000-char query string", MayBeAccepted = true, Query = "?" + string.Join('&', Enumerable.Range(0, 3_000).Select(i => $"p{i}=xxxx")) };
            yield return start with { Mutation = "a query of only separators", MayBeAccepted = true, Query = "?&&&=&=" };
        }

        public FuzzRequest JunkQuery()
        {
            var names = operation.In("query").Select(p => p.Name).DefaultIfEmpty("page").ToList();
            var name = random.Next(4) == 0 ? "x" + random.Next(100) : names[random.Next(names.Count)];
            var value = Uri.EscapeDataString(Junk(random.Next(40)));
            return start with { Mutation = $"query {name}={Shorten(value)}", MayBeAccepted = true, Query = $"?{name}={value}" };
        }

        public FuzzRequest JunkHeader()
        {
            var name = JunkHeaders[random.Next(JunkHeaders.Length)];
            var value = Junk(random.Next(4) == 0 ? random.Next(2_000) : random.Next(40));
            var token = name == "Authorization";
            return Header($"{name}: junk {Shorten(value)}", !(token && operation.NeedsToken), name, value) with { WithoutToken = token };
        }

        /// <summary>Random text: printable, control characters, quotes and separators, non-ASCII.</summary>
        private string Junk(int length)
        {
            const string pool = "abcXYZ019 -_.,;:=\"'\\/()<>[]{}*%&?#@!~`+^|\u0000\u0001\u0007\u001f\u007f\u0085éü€中🛒\u200b\u202e";
            var text = new StringBuilder(length);
            while (text.Length < length)
            {
                var i = random.Next(pool.Length);
                if (char.IsHighSurrogate(pool[i]))
                {
                    text.Append(pool, i, 2);
                }
                else if (!char.IsLowSurrogate(pool[i]))
                {
                    text.Append(pool[i]);
                }
            }

            return text.ToString();
        }

        /// <summary>Every property of the body at any depth, as a path of names and indexes.</summary>
        public List<object[]> PropertyPaths()
        {
            var paths = new List<object[]>();
            void Walk(JsonNode? node, object[] path)
            {
                if (path.Length > 0)
                {
                    paths.Add(path);
                }

                switch (node)
                {
                    case JsonObject o:
                        foreach (var (name, child) in o)
                        {
                            Walk(child, [.. path, name]);
                        }

                        break;
                    case JsonArray a:
                        for (var i = 0; i < a.Count; i++)
                        {
                            Walk(a[i], [.. path, i]);
                        }

                        break;
                }
            }

            Walk(baseRequest.Body, []);
            if (paths.Count == 0)
            {
                paths.Add(["unknownField"]);
            }

            return paths;
        }

        /// <summary>One random change to the property at <paramref name="path"/>.</summary>
        public FuzzRequest PropertyMutation(object[] path)
        {
            var root = baseRequest.Body!.DeepClone();
            var (parent, key) = (Navigate(root, path[..^1]), path[^1]);
            var current = parent switch
            {
                JsonObject o when key is string property => o[property],
                JsonArray a when key is int index && index < a.Count => a[index],
                _ => null,
            };
            var schema = SchemaAt(path);
            var (required, nullable, type) = Describe(path, schema);
            var name = string.Join('.', path.Select(p => p is int i ? $"[{i}]" : p)).Replace(".[", "[", StringComparison.Ordinal);

            string mutation;
            bool mayBeAccepted;
            JsonNode? replacement;
            string? raw = null;
            var remove = false;
            switch (random.Next(current is JsonObject ? 5 : current is JsonArray ? 6 : 10))
            {
                case 0:
                    (mutation, mayBeAccepted, replacement) = ("wrong type", false, WrongType(type));
                    if (type == "string" && schema?.TryGetProperty("format", out var format) == true && format.GetString() == "uuid" && random.Next(2) == 0)
                    {
                        replacement = JsonValue.Create(random.Next(3) switch { 0 => "not-a-uuid", 1 => "0199a6b2", _ => "{0199a6b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b}" });
                    }

                    break;
                case 1:
                    (mutation, mayBeAccepted, replacement) = ("null", !required || nullable, null);
                    break;
                case 2:
                    (mutation, mayBeAccepted, replacement, remove) = ("removed", !required, null, true);
                    break;
                case 3:
                    var extra = ExtraNames[random.Next(ExtraNames.Length)];
                    var target = current as JsonObject ?? (JsonObject)root;
                    target[extra] = random.Next(3) switch { 0 => "admin", 1 => false, _ => JsonNode.Parse("{\"polluted\":true}") };
                    (mutation, mayBeAccepted, replacement) = ($"extra field '{extra}'", true, current?.DeepClone());
                    break;
                case 4 when current is JsonArray array:
                    (mutation, mayBeAccepted, replacement) = ("an empty array", !required, new JsonArray());
                    if (array.Count > 0 && random.Next(2) == 0)
                    {
                        var many = new JsonArray();
                        for (var i = 0; i < 1_000; i++)
                        {
                            many.Add(array[0]!.DeepClone());
                        }

                        (mutation, mayBeAccepted, replacement) = ("1,000 elements", false, many);
                    }

                    break;
                case 4:
                case 5:
                    var text = random.Next(3) == 0 ? string.Concat(Enumerable.Repeat("€", Huge / 2)) : new string('x', Huge);
                    (mutation, mayBeAccepted, replacement) = ($"{Count(text.Length)} chars", false, JsonValue.Create(text));
                    break;
                case 6:
                    var control = ControlTexts[random.Next(ControlTexts.Length)];
                    (mutation, mayBeAccepted, replacement) = ($"control characters {Shorten(control)}", false, JsonValue.Create(control));
                    break;
                case 7:
                    raw = NumberTexts[random.Next(NumberTexts.Length)];
                    (mutation, mayBeAccepted, replacement) = ($"number {raw}", Array.IndexOf(NumberTexts, raw) < 8, JsonValue.Create("__raw__"));
                    break;
                case 8:
                    var odd = random.Next(4) switch
                    {
                        0 => random.Next(2) == 0 ? "" : "   ",
                        1 when knownIds.Count > 0 => knownIds[random.Next(knownIds.Count)],
                        _ => OddTexts[random.Next(OddTexts.Length)],
                    };
                    (mutation, mayBeAccepted, replacement) = ($"text {Shorten(odd)}", true, JsonValue.Create(odd));
                    break;
                default:
                    (mutation, mayBeAccepted, replacement) = ("an array of it", false, new JsonArray(current?.DeepClone()));
                    break;
            }

            switch (parent)
            {
                case JsonObject o when key is string property:
                    if (remove)
                    {
                        o.Remove(property);
                    }
                    else
                    {
                        o[property] = replacement;
                    }

                    break;
                case JsonArray a when key is int index && index < a.Count:
                    if (remove)
                    {
                        a.RemoveAt(index);
                    }
                    else
                    {
                        a[index] = replacement;
                    }

                    break;
            }

            var json = root.ToJsonString();
            if (raw is not null)
            {
                json = json.Replace("\"__raw__\"", raw, StringComparison.Ordinal);
            }

            return Body($"{name}: {mutation}", mayBeAccepted, json);
        }

        private static JsonNode? Navigate(JsonNode? node, IEnumerable<object> path)
        {
            foreach (var step in path)
            {
                node = (node, step) switch
                {
                    (JsonObject o, string name) => o[name],
                    (JsonArray a, int index) when index < a.Count => a[index],
                    _ => null,
                };
            }

            return node;
        }

        private JsonElement? SchemaAt(object[] path)
        {
            var schema = operation.BodySchema;
            foreach (var step in path)
            {
                if (schema is not { } s)
                {
                    return null;
                }

                s = operation.Resolve(s);
                schema = step switch
                {
                    string name when s.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out var property) => property,
                    int when s.TryGetProperty("items", out var items) => items,
                    _ => null,
                };
            }

            return schema;
        }

        /// <summary>Whether the property is required and nullable, and its JSON type, as the schema says (else guessed from the example).</summary>
        private (bool Required, bool Nullable, string? Type) Describe(object[] path, JsonElement? schema)
        {
            var parent = path.Length == 1 ? operation.BodySchema : SchemaAt(path[..^1]);
            var required = path[^1] is int
                || (parent is { } p && operation.Resolve(p).TryGetProperty("required", out var names) && names.EnumerateArray().Any(n => n.GetString() == (string)path[^1]));
            if (schema is not { } s)
            {
                return (required, true, null);
            }

            var nullable = (s.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "null"))
                || (s.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().Any(o => o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
            var resolved = operation.Resolve(s);
            var kind = resolved.TryGetProperty("type", out var resolvedType)
                ? resolvedType.ValueKind == JsonValueKind.Array ? resolvedType.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") : resolvedType.GetString()
                : resolved.TryGetProperty("properties", out _) ? "object" : null;
            return (required, nullable, kind);
        }

        private JsonNode? WrongType(string? type)
        {
            JsonNode?[] options = type switch
            {
                "string" => [12345, true, new JsonObject(), new JsonArray(), 1.5],
                "number" or "integer" => ["12", true, new JsonObject(), new JsonArray(), "NaN"],
                "boolean" => ["true", 1, 0, "yes", new JsonObject()],
                "object" => ["text", 1, new JsonArray(), true],
                "array" => [new JsonObject(), "x", 1, true],
                _ => [new JsonObject(), "x", 1, new JsonArray()],
            };
            return options[random.Next(options.Length)];
        }
    }

    /// <summary>A random but seeded UUID.</summary>
    public static string RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Shorten(string text)
    {
        var shown = text.Length <= 40 ? text : $"{text[..20]}...({Count(text.Length)} chars)";
        return JsonSerializer.Serialize(shown)[1..^1];
    }
}
