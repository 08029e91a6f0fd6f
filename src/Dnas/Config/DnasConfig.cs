using YamlDotNet.RepresentationModel;

namespace Dnas.Config;

/// <summary>A loaded, validated <c>dnas.yaml</c>.
/// <para>Sections are registered in <see cref="Sections"/>: each has a name and a parser that
/// validates its node and stores the result; every section is validated (<see cref="RawSections"/>
/// keeps the nodes as written). An unknown top-level key is an error. After the sections, checks
/// across them run: the store must hold the largest resolution, and the target must fit the
/// smallest system of the search space (<see cref="TargetFitCheck"/>).</para></summary>
public sealed record DnasConfig
{
    /// <summary>The configuration file as the user named it (used in diagnostics).</summary>
    public string File { get; init; } = "dnas.yaml";

    /// <summary>The folder relative paths are resolved against.</summary>
    public string BaseDirectory { get; init; } = Environment.CurrentDirectory;

    public DataConfig Data { get; init; } = DataConfig.Default;

    public SearchSpaceConfig SearchSpace { get; init; } = SearchSpaceConfig.Default;

    public SupernetConfig Supernet { get; init; } = SupernetConfig.Default;

    public SearchConfig Search { get; init; } = SearchConfig.Default;

    public FinetuneConfig Finetune { get; init; } = FinetuneConfig.Default;

    /// <summary>Post-training int8 quantization of the fine-tuned model (<c>quantize:</c>).</summary>
    public QuantizeConfig Quantize { get; init; } = QuantizeConfig.Default;

    /// <summary>The device the search targets (<c>target:</c>, default nano33ble).</summary>
    public TargetConfig Target { get; init; } = TargetConfig.Default;

    /// <summary>The run folder (absolute); <c>output:</c>, default <c>runs/default</c>.</summary>
    public string OutputDirectory { get; init; } = Path.GetFullPath("runs/default");

    /// <summary>Every top-level section as written, by name.</summary>
    public IReadOnlyDictionary<string, YamlNode> RawSections { get; init; } = new Dictionary<string, YamlNode>();

    /// <summary>Side of the prepared store's images: <c>data.resolution</c>, else the largest
    /// search-space resolution.</summary>
    public int StoreResolution => Data.Resolution ?? SearchSpace.MaxResolution;

    /// <summary>A top-level section: its parser validates the node (reporting to the reader)
    /// and returns the configuration with the section applied.</summary>
    public sealed record Section(string Name, Func<ConfigReader, YamlNode, DnasConfig, DnasConfig> Parse);

    /// <summary>The known top-level sections, in the order they are validated. Later stages add
    /// their parsers here.</summary>
    public static IReadOnlyList<Section> Sections { get; } =
    [
        new("data", (r, n, c) => c with { Data = DataConfig.Parse(r, n) }),
        new("search_space", (r, n, c) => c with { SearchSpace = SearchSpaceConfig.Parse(r, n) }),
        new("supernet", (r, n, c) => c with { Supernet = SupernetConfig.Parse(r, n) }),
        // After data and search_space: the fixed resolution of hardware-aware mode must be in the store.
        new("search", (r, n, c) => c with { Search = SearchConfig.Parse(r, n, c) }),
        new("target", (r, n, c) => c with { Target = TargetConfig.Parse(r, n) }),
        new("finetune", (r, n, c) => c with { Finetune = FinetuneConfig.Parse(r, n) }),
        new("quantize", (r, n, c) => c with { Quantize = QuantizeConfig.Parse(r, n) }),
        new("output", (r, n, c) => r.String(n, "output") is { } o ? c with { OutputDirectory = r.ResolvePath(o) } : c),
    ];

    /// <summary>Loads and validates a configuration file; <see cref="ConfigException"/> lists
    /// every problem found. <paramref name="board"/> overrides the target (the command line's
    /// <c>--target</c>, see <see cref="OverrideBoard"/>).</summary>
    public static DnasConfig Load(string path, string? board = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(Diagnostic.Error(DiagnosticCodes.ConfigNotFound,
                $"configuration file {Path.GetFullPath(path)} does not exist; pass one with --config", path), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(Diagnostic.Error(DiagnosticCodes.YamlSyntax, $"cannot read the configuration: {e.Message}", path), e);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, board);
    }

    /// <summary>Validates configuration text; <paramref name="file"/> names it in diagnostics and
    /// relative paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static DnasConfig Parse(string text, string file, string baseDirectory, string? board = null)
    {
        var (config, diagnostics) = TryParse(text, file, baseDirectory, board);
        if (diagnostics.Exists(d => d.Severity == Severity.Error)) throw new ConfigException(diagnostics);
        return config;
    }

    /// <summary>Like <see cref="Parse"/> but returns the diagnostics (errors and warnings) instead of throwing.</summary>
    public static (DnasConfig Config, List<Diagnostic> Diagnostics) TryParse(string text, string file, string baseDirectory, string? board = null)
    {
        var reader = new ConfigReader(file, baseDirectory);
        var config = new DnasConfig
        {
            File = file,
            BaseDirectory = baseDirectory,
            OutputDirectory = Path.GetFullPath(Path.Combine(baseDirectory, "runs", "default")),
        };
        var root = reader.Parse(text);
        if (root is null || ConfigReader.IsNull(root)) return (config, reader.Diagnostics);
        if (board is not null) OverrideBoard(reader, root, board);
        var map = reader.Map(root, "", Sections.Select(s => s.Name).ToArray());
        if (map is null) return (config, reader.Diagnostics);
        var raw = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in Sections)
        {
            if (!map.TryGet(section.Name, out var node)) continue;
            raw[section.Name] = node;
            int before = reader.Diagnostics.Count(d => d.Severity == Severity.Error);
            config = section.Parse(reader, node, config);
            if (reader.Diagnostics.Count(d => d.Severity == Severity.Error) > before) failed.Add(section.Name);
        }
        config = config with { RawSections = raw };
        if (config.Data.Resolution is int r && r < config.SearchSpace.MaxResolution && map.TryGet("data", out var dataNode)
            && dataNode is YamlMappingNode dm && dm.Children.TryGetValue(new YamlScalarNode("resolution"), out var resNode))
        {
            reader.Error(resNode, DiagnosticCodes.OutOfRange,
                $"'data.resolution' ({r}) is below the largest search-space resolution ({config.SearchSpace.MaxResolution}); the store must hold the largest, or leave 'data.resolution' out");
        }
        // Costing a space or target that failed to parse would only add noise to the real errors.
        if (!failed.Overlaps(["search_space", "search", "target"]))
        {
            var at = raw.GetValueOrDefault("target") ?? raw.GetValueOrDefault("search_space") ?? root;
            var latency = raw.GetValueOrDefault("target") is YamlMappingNode t
                && t.Children.TryGetValue(new YamlScalarNode("latency_ms"), out var l) ? l : null;
            TargetFitCheck.Check(reader, config, at, latency);
        }
        var sorted = reader.Diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        return (config, sorted);
    }

    /// <summary>The keys a board override replaces: what names the device and its limits. The
    /// latency limit and the camera belong to the application and stay.</summary>
    private static readonly string[] BoardKeys = ["board", "name", "like", "flash_kb", "sram_kb", "clock_mhz"];

    /// <summary>Rewrites the document as if its <c>target:</c> said <c>board: BOARD</c>, so the
    /// override goes through the same validation (and fit check) as the file. An unknown board
    /// is reported against the command line, not the file.</summary>
    private static void OverrideBoard(ConfigReader reader, YamlNode root, string board)
    {
        if (!Hardware.Targets.Names.Contains(board))
        {
            reader.Diagnostics.Add(Diagnostic.Error(DiagnosticCodes.UnknownChoice,
                $"--target '{board}' is not a built-in board; choose one of {string.Join(", ", Hardware.Targets.Names)}{Suggest.DidYouMean(board, Hardware.Targets.Names)}"));
            return;
        }
        if (root is not YamlMappingNode document) return;
        var key = new YamlScalarNode("target");
        if (!document.Children.TryGetValue(key, out var target) || target is not YamlMappingNode section)
        {
            section = new YamlMappingNode();
            document.Children[key] = section;
        }
        foreach (var k in BoardKeys) section.Children.Remove(new YamlScalarNode(k));
        section.Children[new YamlScalarNode("board")] = new YamlScalarNode(board);
    }
}
