using System.Globalization;
using Dnas.Data.Sources;
using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>Where the images come from (<c>data.source</c>).</summary>
public enum DataSourceKind
{
    /// <summary>The built-in person / no-person scene generator (<see cref="SyntheticSource"/>).</summary>
    Synthetic,
    /// <summary>One sub-folder per class.</summary>
    ImageFolder,
    /// <summary>Wake Vision: a CSV (filename, person) with an image root, or TFDS TFRecord shards.</summary>
    WakeVision,
    /// <summary>MLPerf Tiny raw uint8 HWC <c>*.bin</c> files with <c>y_labels.csv</c>.</summary>
    MlperfTiny,
    /// <summary>MNIST-style IDX image and label files (train / t10k).</summary>
    Idx,
}

/// <summary>The <c>data:</c> section of dnas.yaml, validated, with every path made absolute.</summary>
public sealed record DataConfig
{
    public DataSourceKind Source { get; init; } = DataSourceKind.Synthetic;

    /// <summary>imagefolder: the root; wake-vision (CSV): the image root (default: the CSV's
    /// folder); mlperf-tiny: the folder of <c>*.bin</c> files; idx: the folder of IDX files.</summary>
    public string? Path { get; init; }

    /// <summary>wake-vision: the CSV file (columns <c>filename</c>, <c>person</c>, optional <c>split</c>).</summary>
    public string? Csv { get; init; }

    /// <summary>wake-vision: a TFRecord shard or a folder of <c>*.tfrecord*</c> shards.</summary>
    public string? TfRecord { get; init; }

    /// <summary>mlperf-tiny: the labels CSV (default <c>y_labels.csv</c> in <see cref="Path"/>).</summary>
    public string? Labels { get; init; }

    /// <summary>mlperf-tiny: the side of the square raw images (default 96).</summary>
    public int RawSize { get; init; } = 96;

    /// <summary>synthetic: number of scenes (default 4000).</summary>
    public int Images { get; init; } = 4000;

    /// <summary>Class names in label order; null = the source's default.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    public SplitFractions Split { get; init; } = SplitFractions.Default;

    /// <summary>Seed of the train/val/test assignment (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The build stops when more than this fraction of the items is bad (default 0.05).</summary>
    public double MaxBadFraction { get; init; } = 0.05;

    /// <summary>Side of the stored images; null = the largest search-space resolution.</summary>
    public int? Resolution { get; init; }

    public static DataConfig Default { get; } = new();

    public static readonly IReadOnlyDictionary<string, DataSourceKind> SourceNames = new Dictionary<string, DataSourceKind>
    {
        ["synthetic"] = DataSourceKind.Synthetic,
        ["imagefolder"] = DataSourceKind.ImageFolder,
        ["wake-vision"] = DataSourceKind.WakeVision,
        ["mlperf-tiny"] = DataSourceKind.MlperfTiny,
        ["idx"] = DataSourceKind.Idx,
    };

    public static string NameOf(DataSourceKind kind) => SourceNames.First(p => p.Value == kind).Key;

    private static readonly string[] CommonKeys = ["source", "classes", "split", "seed", "max_bad_fraction", "resolution"];

    private static readonly Dictionary<DataSourceKind, string[]> SourceKeys = new()
    {
        [DataSourceKind.Synthetic] = ["images"],
        [DataSourceKind.ImageFolder] = ["path"],
        [DataSourceKind.WakeVision] = ["csv", "path", "tfrecord"],
        [DataSourceKind.MlperfTiny] = ["path", "labels", "raw_size"],
        [DataSourceKind.Idx] = ["path"],
    };

    /// <summary>Every key any source accepts (for suggestions).</summary>
    public static IReadOnlyList<string> AllKeys { get; } = CommonKeys.Concat(SourceKeys.Values.SelectMany(k => k)).Distinct().ToArray();

    /// <summary>Validates the <c>data:</c> node. Problems go to <paramref name="reader"/>; the
    /// result holds defaults where a value was unusable.</summary>
    public static DataConfig Parse(ConfigReader reader, YamlNode node)
    {
        const string section = "data";
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, DiagnosticCodes.WrongType, $"'{section}' must be a mapping of keys to values, got {ConfigReader.Describe(node)}");
            return Default;
        }
        // The source decides which keys are valid, so read it first.
        DataSourceKind? kind = null;
        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: "source" })
            {
                if (reader.Choice(v, "data.source", SourceNames.Keys.ToArray()) is { } name) kind = SourceNames[name];
            }
        }
        bool misspelt = mapping.Children.Keys.Any(k => k is YamlScalarNode { Value: { } v } && v != "source" && Suggest.Nearest(v, AllKeys) == "source");
        if (kind is null && !misspelt && !mapping.Children.Keys.Any(k => k is YamlScalarNode { Value: "source" }))
            reader.Error(mapping, DiagnosticCodes.MissingKey, $"'data.source' is missing: say where the images come from ({string.Join(", ", SourceNames.Keys)})");
        var source = kind ?? DataSourceKind.Synthetic;
        var valid = CommonKeys.Concat(SourceKeys[source]).ToArray();
        var map = reader.Map(node, section, kind is null ? AllKeys.ToArray() : valid, name =>
        {
            var users = SourceKeys.Where(p => p.Value.Contains(name)).Select(p => NameOf(p.Key)).ToList();
            return users.Count == 0 ? null : $"does not apply to source '{NameOf(source)}' (it is used by {string.Join(", ", users)})";
        });
        if (map is null) return Default;

        var config = new DataConfig { Source = source };
        if (map.TryGet("seed", out var seed) && reader.Integer(seed, "data.seed", 0, long.MaxValue) is long s) config = config with { Seed = (ulong)s };
        if (map.TryGet("max_bad_fraction", out var bad) && reader.Number(bad, "data.max_bad_fraction", 0, 1) is double f) config = config with { MaxBadFraction = f };
        if (map.TryGet("resolution", out var res) && reader.Integer(res, "data.resolution", 8, Data.Preprocess.PreprocessSpec.MaxSide) is long r)
            config = config with { Resolution = (int)r };
        if (map.TryGet("split", out var split)) config = config with { Split = ParseSplit(reader, split) };
        if (map.TryGet("classes", out var classes)) config = config with { Classes = ParseClasses(reader, classes) };
        if (kind is null) return config;

        switch (source)
        {
            case DataSourceKind.Synthetic:
                if (map.TryGet("images", out var images) && reader.Integer(images, "data.images", 1, 10_000_000) is long n)
                    config = config with { Images = (int)n };
                break;
            case DataSourceKind.ImageFolder:
            case DataSourceKind.Idx:
                config = config with { Path = RequiredDirectory(reader, map, "path", source == DataSourceKind.Idx
                    ? "the folder holding train-images-idx3-ubyte(.gz) and the other IDX files"
                    : "the image folder: one sub-folder per class") };
                break;
            case DataSourceKind.MlperfTiny:
                config = config with { Path = RequiredDirectory(reader, map, "path", "the folder of raw *.bin images") };
                if (map.TryGet("raw_size", out var raw) && reader.Integer(raw, "data.raw_size", 1, 4096) is long rs) config = config with { RawSize = (int)rs };
                if (map.TryGet("labels", out var labels))
                    config = config with { Labels = reader.ExistingFile(labels, "data.labels", "the labels CSV: file,classes,label") };
                else if (config.Path is { } dir)
                {
                    var defaultLabels = System.IO.Path.Combine(dir, "y_labels.csv");
                    if (File.Exists(defaultLabels)) config = config with { Labels = defaultLabels };
                    else reader.Error(map.KeyNode("path"), DiagnosticCodes.PathNotFound,
                        $"'data.path': {dir} has no y_labels.csv; add it or name the labels file with 'data.labels'");
                }
                break;
            case DataSourceKind.WakeVision:
                bool hasCsv = map.TryGet("csv", out var csv), hasTf = map.TryGet("tfrecord", out var tf);
                if (hasCsv && hasTf)
                    reader.Error(map.KeyNode("tfrecord"), DiagnosticCodes.Conflict, "'data.csv' and 'data.tfrecord' exclude each other: use one form of Wake Vision");
                else if (!hasCsv && !hasTf)
                    reader.Error(map.Node, DiagnosticCodes.MissingKey, "wake-vision needs 'data.csv' (with 'data.path', the image root) or 'data.tfrecord' (a shard or a folder of *.tfrecord* shards)");
                else if (hasTf)
                {
                    config = config with { TfRecord = reader.ExistingPath(tf, "data.tfrecord", "a TFRecord shard or a folder of *.tfrecord* shards") };
                    if (map.Contains("path"))
                        reader.Error(map.KeyNode("path"), DiagnosticCodes.NotApplicable, "key 'path' in data does not apply to TFRecord shards (the images are inside the records)");
                }
                else
                {
                    config = config with { Csv = reader.ExistingFile(csv, "data.csv", "the Wake Vision CSV: filename, person") };
                    if (map.TryGet("path", out var root))
                        config = config with { Path = reader.ExistingDirectory(root, "data.path", "the image root the CSV's file names are relative to") };
                    else if (config.Csv is { } c)
                        config = config with { Path = System.IO.Path.GetDirectoryName(c) };
                }
                if (config.Classes is { Count: not 2 } && map.TryGet("classes", out var cn))
                    reader.Error(cn, DiagnosticCodes.OutOfRange, $"'data.classes' must name 2 classes for wake-vision (person 0, person 1), got {config.Classes.Count}");
                break;
        }
        return config;
    }

    private static string? RequiredDirectory(ConfigReader reader, ConfigMap map, string key, string what)
    {
        if (map.TryGet(key, out var node)) return reader.ExistingDirectory(node, map.Child(key), what);
        reader.Error(map.Node, DiagnosticCodes.MissingKey, $"'{map.Child(key)}' is missing: {what}");
        return null;
    }

    private static SplitFractions ParseSplit(ConfigReader reader, YamlNode node)
    {
        var map = reader.Map(node, "data.split", ["train", "val", "test"]);
        if (map is null) return SplitFractions.Default;
        if (!map.Names.Any())
        {
            reader.Error(node, DiagnosticCodes.MissingKey, "'data.split' is empty: give train, val and test fractions, e.g. { train: 0.8, val: 0.1, test: 0.1 }");
            return SplitFractions.Default;
        }
        double Get(string k) => map.TryGet(k, out var v) ? reader.Number(v, map.Child(k), 0, 1) ?? double.NaN : 0;
        double train = Get("train"), val = Get("val"), test = Get("test");
        if (double.IsNaN(train) || double.IsNaN(val) || double.IsNaN(test)) return SplitFractions.Default;
        if (map.Node.Children.Count != map.Names.Count()) return SplitFractions.Default; // an unknown key was reported
        double sum = train + val + test;
        if (Math.Abs(sum - 1) > 1e-6)
        {
            reader.Error(node, DiagnosticCodes.SplitSum, string.Create(CultureInfo.InvariantCulture,
                $"'data.split' fractions sum to {sum:0.######} (train {train} + val {val} + test {test}); they must sum to 1"));
            return SplitFractions.Default;
        }
        if (train <= 0)
        {
            reader.Error(map.TryGet("train", out var t) ? t : node, DiagnosticCodes.OutOfRange, "'data.split.train' must be above 0: training needs data");
            return SplitFractions.Default;
        }
        return new SplitFractions(train, val, test);
    }

    private static IReadOnlyList<string>? ParseClasses(ConfigReader reader, YamlNode node)
    {
        var list = reader.List(node, "data.classes", "class names");
        if (list is null) return null;
        var names = new List<string>();
        bool ok = true;
        for (int i = 0; i < list.Count; i++)
        {
            var name = reader.String(list[i], $"data.classes[{i}]");
            if (name is null) { ok = false; continue; }
            if (name.Trim().Length == 0 || name.Contains('/') || name.Contains('\\'))
            {
                reader.Error(list[i], DiagnosticCodes.OutOfRange, $"'data.classes[{i}]' must be a non-empty name without slashes, got \"{name}\"");
                ok = false;
                continue;
            }
            if (names.Contains(name))
            {
                reader.Error(list[i], DiagnosticCodes.OutOfRange, $"'data.classes' names '{name}' twice");
                ok = false;
                continue;
            }
            names.Add(name);
        }
        if (ok && names.Count < 2)
        {
            reader.Error(node, DiagnosticCodes.OutOfRange, $"'data.classes' must name at least 2 classes, got {names.Count}");
            ok = false;
        }
        return ok ? names : null;
    }
}
