using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>The keys of one YAML mapping, by name, with the key nodes kept for their positions.</summary>
public sealed class ConfigMap
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries;

    internal ConfigMap(YamlMappingNode node, string path, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries)
    {
        Node = node;
        Path = path;
        _entries = entries;
    }

    /// <summary>The mapping node itself (its position is where the section starts).</summary>
    public YamlMappingNode Node { get; }

    /// <summary>Dotted name of the mapping, e.g. <c>data.split</c>; empty for the document root.</summary>
    public string Path { get; }

    /// <summary>Key names in document order.</summary>
    public IEnumerable<string> Names => _entries.Keys;

    public bool Contains(string name) => _entries.ContainsKey(name);

    public bool TryGet(string name, out YamlNode value)
    {
        if (_entries.TryGetValue(name, out var e)) { value = e.Value; return true; }
        value = null!;
        return false;
    }

    public YamlScalarNode KeyNode(string name) => _entries[name].Key;

    /// <summary>Dotted name of a key of this mapping.</summary>
    public string Child(string name) => Path.Length == 0 ? name : Path + "." + name;
}

/// <summary>Reads a YAML configuration through YamlDotNet's representation model, so every node
/// keeps its line and column, and collects <see cref="Diagnostic"/>s instead of stopping at the
/// first problem. Section parsers use the typed readers below: each returns null (and records an
/// error at the offending node) when the value is unusable.</summary>
public sealed class ConfigReader
{
    /// <summary>The file name used in diagnostics (as the user gave it).</summary>
    public string File { get; }

    /// <summary>Relative paths in the configuration are relative to this folder (the file's).</summary>
    public string BaseDirectory { get; }

    public List<Diagnostic> Diagnostics { get; } = [];

    public bool HasErrors => Diagnostics.Exists(d => d.Severity == Severity.Error);

    public ConfigReader(string file, string baseDirectory)
    {
        File = file;
        BaseDirectory = baseDirectory;
    }

    /// <summary>Parses YAML text; the root of the first document, or null for an empty file. A
    /// syntax error becomes a DNAS001 diagnostic (and null).</summary>
    public YamlNode? Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string message = e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;
            Diagnostics.Add(Diagnostic.Error(DiagnosticCodes.YamlSyntax, "invalid YAML: " + message, File, (int)Math.Max(1, e.Start.Line), (int)Math.Max(1, e.Start.Column)));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // The scanner throws these on a few malformed inputs instead of a YamlException.
            Diagnostics.Add(Diagnostic.Error(DiagnosticCodes.YamlSyntax, "invalid YAML: " + e.Message, File, 1, 1));
            return null;
        }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            Error(second, DiagnosticCodes.YamlSyntax, "the file holds more than one YAML document ('---'); put everything in one");
        }
        return stream.Documents[0].RootNode;
    }

    public void Error(YamlNode node, string code, string message) =>
        Diagnostics.Add(Diagnostic.Error(code, message, File, (int)node.Start.Line, (int)node.Start.Column));

    public void Warning(YamlNode node, string code, string message) =>
        Diagnostics.Add(Diagnostic.Warning(code, message, File, (int)node.Start.Line, (int)node.Start.Column));

    /// <summary>True for a plain <c>~</c>, <c>null</c> or empty scalar.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && (string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null" or "Null" or "NULL");

    /// <summary>How a node looks, for "got ..." in messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } s => $"the string \"{s.Value}\"",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    /// <summary>A mapping, with unknown keys reported (DNAS002, nearest valid name suggested).
    /// <paramref name="known"/> lists every valid key; <paramref name="notApplicable"/> may
    /// explain why a known-elsewhere key is invalid here (DNAS009) instead.</summary>
    public ConfigMap? Map(YamlNode node, string path, IReadOnlyCollection<string> known, Func<string, string?>? notApplicable = null)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, DiagnosticCodes.WrongType, $"{(path.Length == 0 ? "the configuration" : $"'{path}'")} must be a mapping of keys to values, got {Describe(node)}");
            return null;
        }
        var entries = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode key || key.Value is null)
            {
                Error(keyNode, DiagnosticCodes.WrongType, $"keys of '{(path.Length == 0 ? "the file" : path)}' must be names, got {Describe(keyNode)}");
                continue;
            }
            string name = key.Value;
            string where = path.Length == 0 ? "at the top level" : $"in {path}";
            if (!known.Contains(name))
            {
                if (notApplicable?.Invoke(name) is { } why)
                    Error(key, DiagnosticCodes.NotApplicable, $"key '{name}' {where} {why}");
                else
                    Error(key, DiagnosticCodes.UnknownKey,
                        $"unknown key '{name}' {where}{Suggest.DidYouMean(name, known)} (valid keys: {string.Join(", ", known)})");
                continue;
            }
            entries[name] = (key, value);
        }
        return new ConfigMap(mapping, path, entries);
    }

    private YamlScalarNode? Scalar(YamlNode node, string path, string expected)
    {
        if (node is YamlScalarNode s && !IsNull(s)) return s;
        Error(node, DiagnosticCodes.WrongType, $"'{path}' must be {expected}, got {Describe(node)}");
        return null;
    }

    private static bool Quoted(YamlScalarNode s) => s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;

    /// <summary>Any non-null scalar, as text.</summary>
    public string? String(YamlNode node, string path) => Scalar(node, path, "a text value")?.Value;

    /// <summary>One of <paramref name="choices"/> (exact spelling), else DNAS008 with a suggestion.</summary>
    public string? Choice(YamlNode node, string path, IReadOnlyCollection<string> choices)
    {
        var s = Scalar(node, path, "one of " + string.Join(", ", choices));
        if (s is null) return null;
        if (choices.Contains(s.Value!)) return s.Value;
        Error(s, DiagnosticCodes.UnknownChoice,
            $"'{path}' is '{s.Value}', which is not one of {string.Join(", ", choices)}{Suggest.DidYouMean(s.Value!, choices)}");
        return null;
    }

    /// <summary>An unquoted integer in [min, max].</summary>
    public long? Integer(YamlNode node, string path, long min, long max)
    {
        var s = Scalar(node, path, "an integer");
        if (s is null) return null;
        if (Quoted(s) || !long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            Error(s, DiagnosticCodes.WrongType, $"'{path}' must be an integer, got {Describe(s)}");
            return null;
        }
        if (v < min || v > max)
        {
            Error(s, DiagnosticCodes.OutOfRange, $"'{path}' must be {Range(min, max)}, got {v}");
            return null;
        }
        return v;
    }

    /// <summary>An unquoted finite number in [min, max].</summary>
    public double? Number(YamlNode node, string path, double min, double max)
    {
        var s = Scalar(node, path, "a number");
        if (s is null) return null;
        if (Quoted(s) || !double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            Error(s, DiagnosticCodes.WrongType, $"'{path}' must be a number, got {Describe(s)}");
            return null;
        }
        if (v < min || v > max)
        {
            Error(s, DiagnosticCodes.OutOfRange, $"'{path}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {s.Value}");
            return null;
        }
        return v;
    }

    /// <summary>An unquoted number in (0, max]: for sizes, rates and intervals where zero means nothing.</summary>
    public double? PositiveNumber(YamlNode node, string path, double max)
    {
        if (Number(node, path, 0, max) is not double v) return null;
        if (v > 0) return v;
        Error(node, DiagnosticCodes.OutOfRange, $"'{path}' must be above 0, got {v}");
        return null;
    }

    /// <summary>true or false.</summary>
    public bool? Bool(YamlNode node, string path)
    {
        var s = Scalar(node, path, "true or false");
        if (s is null) return null;
        if (!Quoted(s))
        {
            if (s.Value is "true" or "True" or "TRUE") return true;
            if (s.Value is "false" or "False" or "FALSE") return false;
        }
        Error(s, DiagnosticCodes.WrongType, $"'{path}' must be true or false, got {Describe(s)}");
        return null;
    }

    /// <summary>A list (a single scalar is not promoted to a list).</summary>
    public IReadOnlyList<YamlNode>? List(YamlNode node, string path, string ofWhat)
    {
        if (node is YamlSequenceNode seq) return seq.Children.ToList();
        Error(node, DiagnosticCodes.WrongType, $"'{path}' must be a list of {ofWhat}, like [a, b], got {Describe(node)}");
        return null;
    }

    /// <summary>A non-empty list without repeats whose items <paramref name="item"/> reads (it
    /// reports its own errors and returns null for an unusable item); null when anything was
    /// wrong, so a section never runs with half a list. <paramref name="example"/> completes
    /// "give at least one ..., e.g. ...".</summary>
    public IReadOnlyList<T>? UniqueList<T>(YamlNode node, string path, string ofWhat, string example, Func<YamlNode, string, T?> item)
        where T : struct
    {
        var list = List(node, path, ofWhat);
        if (list is null) return null;
        if (list.Count == 0)
        {
            Error(node, DiagnosticCodes.OutOfRange, $"'{path}' is empty: give at least one, e.g. {example}");
            return null;
        }
        var values = new List<T>(list.Count);
        bool ok = true;
        for (int i = 0; i < list.Count; i++)
        {
            if (item(list[i], $"{path}[{i}]") is not T v) { ok = false; continue; }
            if (values.Contains(v))
            {
                Error(list[i], DiagnosticCodes.OutOfRange, $"'{path}' lists {Format(list[i])} twice");
                ok = false;
                continue;
            }
            values.Add(v);
        }
        return ok ? values : null;
    }

    private static string Format(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : Describe(node);

    /// <summary>A path relative to <see cref="BaseDirectory"/> (or absolute), made absolute.</summary>
    public string ResolvePath(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, path));
    }

    /// <summary>An existing folder (DNAS006 otherwise), made absolute.</summary>
    public string? ExistingDirectory(YamlNode node, string path, string what)
    {
        var text = String(node, path);
        if (text is null) return null;
        var full = ResolvePath(text);
        if (Directory.Exists(full)) return full;
        Error(node, DiagnosticCodes.PathNotFound,
            System.IO.File.Exists(full) ? $"'{path}': {full} is a file, not a folder ({what})" : $"'{path}': folder {full} does not exist ({what})");
        return null;
    }

    /// <summary>An existing file (DNAS006 otherwise), made absolute.</summary>
    public string? ExistingFile(YamlNode node, string path, string what)
    {
        var text = String(node, path);
        if (text is null) return null;
        var full = ResolvePath(text);
        if (System.IO.File.Exists(full)) return full;
        Error(node, DiagnosticCodes.PathNotFound,
            Directory.Exists(full) ? $"'{path}': {full} is a folder, not a file ({what})" : $"'{path}': file {full} does not exist ({what})");
        return null;
    }

    /// <summary>An existing file or folder (DNAS006 otherwise), made absolute.</summary>
    public string? ExistingPath(YamlNode node, string path, string what)
    {
        var text = String(node, path);
        if (text is null) return null;
        var full = ResolvePath(text);
        if (System.IO.File.Exists(full) || Directory.Exists(full)) return full;
        Error(node, DiagnosticCodes.PathNotFound, $"'{path}': {full} does not exist ({what})");
        return null;
    }

    private static string Range(long min, long max) =>
        max == long.MaxValue ? $"at least {min}" : $"between {min} and {max}";
}
