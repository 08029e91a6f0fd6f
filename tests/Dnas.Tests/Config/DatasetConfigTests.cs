using Dnas.Config;
using Dnas.Data.Sources;
using Dnas.Tests.Data;
using Xunit;

namespace Dnas.Tests.Config;

/// <summary>dnas.yaml loading and the data section's validation: positions, codes, suggestions.</summary>
public sealed class DatasetConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public DatasetConfigTests()
    {
        Directory.CreateDirectory(_dir["images/person"]);
        Directory.CreateDirectory(_dir["images/no_person"]);
        _dir.WriteText("wv/labels.csv", "filename,person\n");
        _dir.Write("tf/a.tfrecord", []);
        Directory.CreateDirectory(_dir["mt"]);
        _dir.WriteText("mt/y_labels.csv", "a.bin,2,0\n");
        Directory.CreateDirectory(_dir["idx"]);
    }

    public void Dispose() => _dir.Dispose();

    private DnasConfig Parse(string yaml) => DnasConfig.Parse(yaml, "dnas.yaml", _dir.Path);

    private List<Diagnostic> Errors(string yaml)
    {
        var (_, diagnostics) = DnasConfig.TryParse(yaml, "dnas.yaml", _dir.Path);
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        Assert.NotEmpty(errors);
        return errors;
    }

    private Diagnostic Error(string yaml) => Assert.Single(Errors(yaml));

    [Fact]
    public void TheRepositoryDnasYamlIsValid()
    {
        var path = Path.Combine(DecoderTools.RepoRoot(), "dnas.yaml");
        var config = DnasConfig.Load(path);
        Assert.Equal(DataSourceKind.Synthetic, config.Data.Source);
        Assert.Equal(4000, config.Data.Images);
        Assert.Equal(SplitFractions.Default, config.Data.Split);
        Assert.Equal([32, 48, 64, 96], config.SearchSpace.Resolutions);
        Assert.Equal(96, config.StoreResolution);
        Assert.Equal(Path.Combine(DecoderTools.RepoRoot(), "runs", "default"), config.OutputDirectory);
        Assert.Equal(["data", "search_space", "supernet", "search", "target", "finetune", "quantize", "output"], config.RawSections.Keys);
    }

    [Fact]
    public void ImageFolderConfigResolvesPathsAgainstTheFile()
    {
        var c = Parse("""
            data:
              source: imagefolder
              path: images
              classes: [person, no_person]
              split: { train: 0.7, val: 0.15, test: 0.15 }
              seed: 42
              max_bad_fraction: 0.01
            search_space:
              resolutions: [48, 128, 64]
            output: out/run1
            """);
        Assert.Equal(DataSourceKind.ImageFolder, c.Data.Source);
        Assert.Equal(_dir["images"], c.Data.Path);
        Assert.Equal(["person", "no_person"], c.Data.Classes);
        Assert.Equal(new SplitFractions(0.7, 0.15, 0.15), c.Data.Split);
        Assert.Equal(42UL, c.Data.Seed);
        Assert.Equal(0.01, c.Data.MaxBadFraction);
        Assert.Equal(128, c.StoreResolution);
        Assert.Equal(_dir["out/run1"], c.OutputDirectory);
    }

    [Fact]
    public void EverySourceKindParses()
    {
        var wv = Parse("data:\n  source: wake-vision\n  csv: wv/labels.csv\n");
        Assert.Equal(_dir["wv/labels.csv"], wv.Data.Csv);
        Assert.Equal(_dir["wv"], wv.Data.Path);
        Assert.IsType<WakeVisionCsvSource>(DataSources.Create(wv.Data));
        var tf = Parse("data:\n  source: wake-vision\n  tfrecord: tf\n");
        Assert.IsType<WakeVisionTfRecordSource>(DataSources.Create(tf.Data));
        var mt = Parse("data:\n  source: mlperf-tiny\n  path: mt\n  raw_size: 32\n");
        Assert.Equal(_dir["mt/y_labels.csv"], mt.Data.Labels);
        Assert.Equal(32, mt.Data.RawSize);
        Assert.IsType<MlperfTinySource>(DataSources.Create(mt.Data));
        var idx = Parse("data:\n  source: idx\n  path: idx\n  resolution: 32\nsearch_space:\n  resolutions: [28]\n");
        Assert.Equal(32, idx.StoreResolution);
        Assert.IsType<IdxSource>(DataSources.Create(idx.Data));
        var synthetic = Parse("data:\n  source: synthetic\n  images: 100\n");
        Assert.Equal(100, synthetic.Data.Images);
    }

    [Fact]
    public void EmptyFileGivesDefaults()
    {
        var c = Parse("# nothing\n");
        Assert.Equal(DataSourceKind.Synthetic, c.Data.Source);
        Assert.Equal(96, c.StoreResolution);
    }

    [Fact]
    public void UnknownKeysAreErrorsWithLineColumnAndSuggestion()
    {
        var d = Error("data:\n  source: imagefolder\n  path: images\n  sead: 3\n");
        Assert.Equal("dnas.yaml(4,3): error DNAS002: unknown key 'sead' in data; did you mean 'seed'? " +
                     "(valid keys: source, classes, split, seed, max_bad_fraction, resolution, path)", d.ToString());

        d = Error("data:\n  source: imagefolder\n  path: images\nserch_space:\n  resolutions: [32]\n");
        Assert.Equal((4, 1), (d.Line, d.Column));
        Assert.Contains("did you mean 'search_space'?", d.Message);

        d = Error("data:\n  source: imagefolder\n  path: images\n  split: { train: 0.8, vall: 0.2 }\n");
        Assert.Equal((4, 24), (d.Line, d.Column));
        Assert.Contains("did you mean 'val'?", d.Message);

        d = Error("data:\n  source: imagefolder\n  path: images\n  xyzzy: 1\n");
        Assert.DoesNotContain("did you mean", d.Message);
    }

    [Fact]
    public void MisspeltSourceKeyIsOneError()
    {
        var d = Error("data:\n  sorce: imagefolder\n");
        Assert.Equal(DiagnosticCodes.UnknownKey, d.Code);
        Assert.Contains("did you mean 'source'?", d.Message);
    }

    [Fact]
    public void UnknownSourceSuggestsTheNearest()
    {
        var d = Error("data:\n  source: image-folder\n");
        Assert.Equal("dnas.yaml(2,11): error DNAS008: 'data.source' is 'image-folder', which is not one of synthetic, imagefolder, wake-vision, mlperf-tiny, idx; did you mean 'imagefolder'?", d.ToString());
        Assert.Contains("did you mean 'wake-vision'?", Error("data:\n  source: wakevision\n").Message);
    }

    [Fact]
    public void KeysOfOtherSourcesAreNotApplicable()
    {
        var d = Error("data:\n  source: imagefolder\n  path: images\n  csv: wv/labels.csv\n");
        Assert.Equal(DiagnosticCodes.NotApplicable, d.Code);
        Assert.Equal((4, 3), (d.Line, d.Column));
        Assert.Contains("does not apply to source 'imagefolder' (it is used by wake-vision)", d.Message);
    }

    [Theory]
    [InlineData("  seed: abc\n", 4, 9, "DNAS003", "'data.seed' must be an integer, got 'abc'")]
    [InlineData("  seed: -1\n", 4, 9, "DNAS004", "'data.seed' must be at least 0, got -1")]
    [InlineData("  max_bad_fraction: 1.5\n", 4, 21, "DNAS004", "'data.max_bad_fraction' must be between 0 and 1, got 1.5")]
    [InlineData("  max_bad_fraction: \"0.1\"\n", 4, 21, "DNAS003", "must be a number, got the string \"0.1\"")]
    [InlineData("  split: [0.8, 0.2]\n", 4, 10, "DNAS003", "'data.split' must be a mapping")]
    [InlineData("  split: { train: 0.8, val: 0.3, test: 0.1 }\n", 4, 10, "DNAS007", "fractions sum to 1.2 (train 0.8 + val 0.3 + test 0.1); they must sum to 1")]
    [InlineData("  split: { train: 0, val: 0.5, test: 0.5 }\n", 4, 19, "DNAS004", "'data.split.train' must be above 0")]
    [InlineData("  split: { train: 1.2 }\n", 4, 19, "DNAS004", "'data.split.train' must be between 0 and 1")]
    [InlineData("  classes: person\n", 4, 12, "DNAS003", "'data.classes' must be a list")]
    [InlineData("  classes: [person]\n", 4, 12, "DNAS004", "must name at least 2 classes")]
    [InlineData("  classes: [a, b, a]\n", 4, 19, "DNAS004", "names 'a' twice")]
    [InlineData("  resolution: 4\n", 4, 15, "DNAS004", "'data.resolution' must be between 8 and 4096, got 4")]
    [InlineData("  resolution: 64\n", 4, 15, "DNAS004", "below the largest search-space resolution (96)")]
    public void BadValuesAreReportedWhereTheyAre(string line, int row, int column, string code, string text)
    {
        var d = Error("data:\n  source: imagefolder\n  path: images\n" + line);
        Assert.Equal(code, d.Code);
        Assert.Equal((row, column), (d.Line, d.Column));
        Assert.Contains(text, d.Message);
    }

    [Fact]
    public void MissingFoldersAndFilesAreReported()
    {
        var d = Error("data:\n  source: imagefolder\n  path: nowhere\n");
        Assert.Equal(DiagnosticCodes.PathNotFound, d.Code);
        Assert.Equal((3, 9), (d.Line, d.Column));
        Assert.Contains($"folder {_dir["nowhere"]} does not exist", d.Message);

        d = Error("data:\n  source: imagefolder\n");
        Assert.Equal(DiagnosticCodes.MissingKey, d.Code);
        Assert.Contains("'data.path' is missing", d.Message);

        d = Error("data:\n  source: wake-vision\n  csv: wv/nope.csv\n");
        Assert.Contains("file " + _dir["wv/nope.csv"] + " does not exist", d.Message);

        d = Error("data:\n  source: wake-vision\n  csv: wv/labels.csv\n  tfrecord: tf\n");
        Assert.Equal(DiagnosticCodes.Conflict, d.Code);

        d = Error("data:\n  source: wake-vision\n");
        Assert.Equal(DiagnosticCodes.MissingKey, d.Code);

        d = Error("data:\n  source: mlperf-tiny\n  path: idx\n");
        Assert.Contains("has no y_labels.csv", d.Message);

        d = Error("data:\n  source: imagefolder\n  path: wv/labels.csv\n");
        Assert.Contains("is a file, not a folder", d.Message);
    }

    [Fact]
    public void SearchSpaceResolutionsAreChecked()
    {
        var errors = Errors("search_space:\n  resolutions: [32, \"64\", 96.5, 32]\n  colors: [gray]\n  widhts: [0.35]\n");
        Assert.Equal(4, errors.Count);
        Assert.Equal((2, 21), (errors[0].Line, errors[0].Column));
        Assert.Contains("'search_space.resolutions[1]' must be an integer, got the string \"64\"", errors[0].Message);
        Assert.Contains("got '96.5'", errors[1].Message);
        Assert.Contains("lists 32 twice", errors[2].Message);
        Assert.Contains("did you mean 'widths'?", errors[3].Message);
        Assert.Contains("is empty", Error("search_space:\n  resolutions: []\n").Message);
    }

    [Fact]
    public void AllProblemsAreReportedInFileOrder()
    {
        var errors = Errors("data:\n  source: imagefolder\n  path: nowhere\n  seed: x\nserch: 1\n");
        Assert.Equal([3, 4, 5], errors.Select(e => e.Line));
        var e = Assert.Throws<ConfigException>(() => Parse("data:\n  source: imagefolder\n  path: nowhere\n  seed: x\nserch: 1\n"));
        Assert.Equal(3, e.Diagnostics.Count);
        Assert.StartsWith("dnas.yaml(3,9): error DNAS006:", e.Message);
    }

    [Fact]
    public void YamlSyntaxErrorsHaveAPosition()
    {
        var d = Error("data:\n  source: imagefolder\n   path: x\n");
        Assert.Equal(DiagnosticCodes.YamlSyntax, d.Code);
        Assert.True(d.Line >= 2, d.ToString());
        Assert.Equal(DiagnosticCodes.YamlSyntax, Error("data: [1,\n").Code);
        d = Error("data:\n  source: idx\n  source: imagefolder\n");
        Assert.Contains("Duplicate key", d.Message);
        Assert.Equal(3, d.Line);
        Assert.Equal(DiagnosticCodes.WrongType, Error("- a\n- b\n").Code);
    }

    [Fact]
    public void MissingConfigFileIsDnas011()
    {
        var e = Assert.Throws<ConfigException>(() => DnasConfig.Load(_dir["none.yaml"]));
        Assert.Equal(DiagnosticCodes.ConfigNotFound, e.Diagnostics[0].Code);
    }

    [Fact]
    public void SuggestionsUseEditDistance()
    {
        Assert.Equal(1, Suggest.Distance("sead", "seed"));
        Assert.Equal(0, Suggest.Distance("raw-size", "raw_size"));
        Assert.Equal(1, Suggest.Distance("tset", "test"));
        Assert.Equal("max_bad_fraction", Suggest.Nearest("max_bad_frac", DataConfig.AllKeys));
        Assert.Null(Suggest.Nearest("zzz", DataConfig.AllKeys));
    }
}
