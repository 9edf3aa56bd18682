using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Shop.IntegrationTests.Infrastructure;

/// <summary>
/// The metric names that PromQL expressions select (in the Grafana dashboard and the alerting
/// rules of deploy/observability), and the names a /metrics page exports, so that a test can tell
/// when a panel or an alert looks at a series nothing produces.
/// </summary>
public static partial class MetricNames
{
    /// <summary>Series Prometheus makes itself for every target, which no /metrics page shows.</summary>
    public static readonly IReadOnlySet<string> MadeByPrometheus = new HashSet<string>(StringComparer.Ordinal) { "up" };

    // Words that are never a metric name where they stand: operators, modifiers, literals.
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "atan2", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    // Followed by a parenthesised list of label names, not of expressions.
    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    /// <summary>
    /// The metric names one PromQL expression selects: every identifier that is not a function or
    /// aggregation (those are followed by "(", or by "by (" or "without ("), a keyword, a label name (inside {...}, or in the
    /// list after by, without, on, ignoring, group_left, group_right), a string, a number or
    /// duration (in [...] too), or a Grafana variable ($job, ${job}, $__rate_interval).
    /// </summary>
    public static IReadOnlySet<string> In(string promQl)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < promQl.Length)
        {
            var c = promQl[i];
            if (c is '"' or '\'' or '`')
            {
                i = AfterString(promQl, i);
            }
            else if (c == '{')
            {
                i = AfterClosing(promQl, i, '}');
            }
            else if (c == '[')
            {
                i = AfterClosing(promQl, i, ']');
            }
            else if (c == '#')
            {
                i = promQl.IndexOf('\n', i) is var end and >= 0 ? end : promQl.Length; // a comment
            }
            else if (c == '$')
            {
                i = i + 1 < promQl.Length && promQl[i + 1] == '{' ? AfterClosing(promQl, i + 1, '}') : AfterWord(promQl, i + 1);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < promQl.Length && char.IsAsciiDigit(promQl[i + 1])))
            {
                i = AfterWord(promQl, i + 1); // 0.99, 1e3, 0x1f, 5m, 1h30m (1e-9 stops at "-"; "9" is then a number again)
            }
            else if (IsWordStart(c))
            {
                var end = AfterWord(promQl, i);
                var word = promQl[i..end];
                var next = end;
                while (next < promQl.Length && char.IsWhiteSpace(promQl[next]))
                {
                    next++;
                }

                // A function or aggregation: "rate(", "sum(", and "sum by (le) (" with its grouping first.
                var called = next < promQl.Length && (promQl[next] == '(' || GroupingFollows(promQl, next));
                if (called && LabelListKeywords.Contains(word))
                {
                    i = AfterClosing(promQl, next, ')');
                    continue;
                }

                if (!called && !Keywords.Contains(word))
                {
                    names.Add(word);
                }

                i = end;
            }
            else
            {
                i++;
            }
        }

        return names;
    }

    /// <summary>
    /// The names a Grafana template variable's query selects: a PromQL expression, or one of the
    /// Prometheus data source's functions (label_values(metric, label) selects metric; label_values(label)
    /// and label_names() select none; query_result(expr) and metrics(regex) as they say).
    /// </summary>
    public static IReadOnlySet<string> InVariableQuery(string query)
    {
        query = query.Trim();
        if (LabelValues().Match(query) is { Success: true } values)
        {
            return values.Groups["selector"].Success ? In(values.Groups["selector"].Value) : new HashSet<string>();
        }

        if (QueryResult().Match(query) is { Success: true } result)
        {
            return In(result.Groups["expr"].Value);
        }

        return LabelNamesOrMetrics().IsMatch(query) ? new HashSet<string>() : In(query);
    }

    /// <summary>Every PromQL expression of a Grafana dashboard: each panel's targets (rows' panels too) and each query variable.</summary>
    public static IEnumerable<(string Where, IReadOnlySet<string> Names)> InDashboard(string json)
    {
        var dashboard = JsonNode.Parse(json)!.AsObject();
        foreach (var panel in Panels(dashboard["panels"]?.AsArray()))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                if (target?["expr"]?.GetValue<string>() is { } expr)
                {
                    yield return ($"panel \"{panel["title"]}\": {expr}", In(expr));
                }
            }
        }

        foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
        {
            if (variable?["type"]?.GetValue<string>() != "query")
            {
                continue;
            }

            var query = variable["query"] is JsonObject o ? o["query"]?.GetValue<string>() : variable["query"]?.GetValue<string>();
            if (query is not null)
            {
                yield return ($"variable ${variable["name"]}: {query}", InVariableQuery(query));
            }
        }
    }

    /// <summary>Every rule's expression in a Prometheus rule file (groups[].rules[].expr).</summary>
    public static IEnumerable<(string Where, IReadOnlySet<string> Names)> InRules(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var group in (YamlSequenceNode)root["groups"])
        {
            foreach (var rule in (YamlSequenceNode)((YamlMappingNode)group)["rules"])
            {
                var mapping = (YamlMappingNode)rule;
                var name = mapping.Children.TryGetValue("alert", out var alert) ? alert : mapping["record"];
                var expr = ((YamlScalarNode)mapping["expr"]).Value!;
                yield return ($"rule {name}: {expr.Trim()}", In(expr));
            }
        }
    }

    /// <summary>
    /// The series names a /metrics page (Prometheus text format) has samples for. A classic
    /// histogram shows as name_bucket, name_sum and name_count, never as its bare name, which is
    /// what an expression must select too: comparing with sample names keeps that distinction
    /// (a bare histogram name in an expression selects nothing and is reported).
    /// </summary>
    public static IReadOnlySet<string> Exported(string prometheusText) =>
        prometheusText.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Used names that no page exports and Prometheus does not make, each with what the pages say of it.</summary>
    public static List<string> NotExported(IEnumerable<string> used, IReadOnlyList<string> prometheusTexts)
    {
        var exported = prometheusTexts.SelectMany(Exported).ToHashSet(StringComparer.Ordinal);
        var declared = prometheusTexts.SelectMany(t => t.Split('\n')).Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);
        return [.. used.Distinct().Where(name => !exported.Contains(name) && !MadeByPrometheus.Contains(name)).Order(StringComparer.Ordinal)
            .Select(name => declared.Contains(name) ? $"{name} (declared, but no sample yet)" : name)];
    }

    private static IEnumerable<JsonNode> Panels(JsonArray? panels)
    {
        foreach (var panel in panels ?? [])
        {
            if (panel is null)
            {
                continue;
            }

            yield return panel;
            foreach (var nested in Panels(panel["panels"]?.AsArray()))
            {
                yield return nested;
            }
        }
    }

    /// <summary>Whether "by (" or "without (" starts at <paramref name="i"/>.</summary>
    private static bool GroupingFollows(string s, int i)
    {
        var end = AfterWord(s, i);
        var word = s[i..end];
        while (end < s.Length && char.IsWhiteSpace(s[end]))
        {
            end++;
        }

        return (word.Equals("by", StringComparison.OrdinalIgnoreCase) || word.Equals("without", StringComparison.OrdinalIgnoreCase))
            && end < s.Length && s[end] == '(';
    }

    private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static int AfterWord(string s, int i)
    {
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or ':' or '.'))
        {
            i++;
        }

        return i;
    }

    /// <summary>Past a quoted string starting at <paramref name="i"/> (backslash escapes, except in backquotes).</summary>
    private static int AfterString(string s, int i)
    {
        var quote = s[i++];
        while (i < s.Length && s[i] != quote)
        {
            i += s[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    /// <summary>Past the bracket that closes the one at <paramref name="i"/>, skipping strings and nested brackets of the same kind.</summary>
    private static int AfterClosing(string s, int i, char closing)
    {
        var opening = s[i];
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is '"' or '\'' or '`')
            {
                i = AfterString(s, i);
                continue;
            }

            if (c == opening)
            {
                depth++;
            }
            else if (c == closing && --depth == 0)
            {
                return i + 1;
            }

            i++;
        }

        return i;
    }

    [GeneratedRegex(@"^label_values\(\s*(?:(?<selector>.+?)\s*,\s*)?[A-Za-z_][A-Za-z0-9_]*\s*\)$", RegexOptions.Singleline)]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^query_result\((?<expr>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex QueryResult();

    [GeneratedRegex(@"^(label_names\(\s*\)|metrics\(.*\))$", RegexOptions.Singleline)]
    private static partial Regex LabelNamesOrMetrics();
}
