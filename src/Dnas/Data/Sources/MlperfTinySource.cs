using System.Globalization;
using Dnas.Data.Images;

namespace Dnas.Data.Sources;

/// <summary>MLPerf Tiny (EEMBC EnergyRunner) data: raw <c>*.bin</c> files of uint8 pixels, HWC
/// RGB, <see cref="RawSize"/> x <see cref="RawSize"/> (96 for Visual Wake Words), listed in a
/// labels CSV whose rows are <c>file, classes, label</c> (file name relative to the folder,
/// number of classes, class index). A header row is allowed (recognised by a non-numeric
/// label). Class names: the configured ones, else <c>no_person</c>, <c>person</c> for two
/// classes (VWW) and the numbers 0..n−1 otherwise, n being the largest <c>classes</c> value.
/// <para>Rows with too few fields or non-numeric values, files that do not exist, labels outside
/// the class list and files of the wrong length are bad. <c>*.bin</c> files the CSV does not
/// list are ignored.</para></summary>
public sealed class MlperfTinySource : IDataSource
{
    private readonly IReadOnlyList<string>? _classes;
    private List<CsvRecord>? _rows;

    public MlperfTinySource(string folder, string? labels = null, int rawSize = 96, IReadOnlyList<string>? classes = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rawSize, 1);
        Folder = Path.GetFullPath(folder);
        LabelsPath = Path.GetFullPath(labels ?? Path.Combine(Folder, "y_labels.csv"));
        RawSize = rawSize;
        _classes = classes;
    }

    public string Folder { get; }
    public string LabelsPath { get; }
    public int RawSize { get; }

    public string Description => $"mlperf-tiny {Folder} ({RawSize}x{RawSize}x3 raw, labels {Path.GetFileName(LabelsPath)})";

    private List<CsvRecord> Rows()
    {
        if (_rows != null) return _rows;
        if (!File.Exists(LabelsPath)) throw DataException.Unreadable(LabelsPath, $"labels file {LabelsPath} does not exist");
        var rows = Csv.ReadSourceFile(LabelsPath, "the labels");
        if (rows.Count > 0 && (rows[0].Fields.Length < 3 || !int.TryParse(rows[0].Fields[2].Trim(), CultureInfo.InvariantCulture, out _)))
            rows.RemoveAt(0); // header
        return _rows = rows;
    }

    private string FileOf(CsvRecord row) => Path.GetFullPath(Path.Combine(Folder, row.Fields[0].Trim()));

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "mlperf-tiny");
        fingerprint.Add("raw_size", RawSize);
        fingerprint.Add("classes", _classes is null ? "(default)" : string.Join("\n", _classes));
        fingerprint.AddFile(LabelsPath);
        foreach (var row in Rows())
            if (row.Fields.Length >= 1 && row.Fields[0].Trim().Length > 0) fingerprint.AddFile(FileOf(row));
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var rows = Rows();
        IReadOnlyList<string> classes = _classes ?? DefaultClasses(rows);
        var items = new List<SourceItem>();
        var bad = new List<BadItem>();
        foreach (var row in rows)
        {
            cancel.ThrowIfCancellationRequested();
            var f = row.Fields;
            string id = f.Length > 0 && f[0].Trim().Length > 0 ? f[0].Trim() : $"{Path.GetFileName(LabelsPath)}:{row.Line}";
            if (f.Length < 3 || f[0].Trim().Length == 0)
            {
                bad.Add(new BadItem(id, LabelsPath, BadReason.BadRow, $"expected 'file, classes, label', got {f.Length} field(s)", row.Line));
                continue;
            }
            if (!int.TryParse(f[2].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
            {
                bad.Add(new BadItem(id, LabelsPath, BadReason.BadRow, $"label '{f[2].Trim()}' is not an integer", row.Line));
                continue;
            }
            if (label < 0 || label >= classes.Count)
            {
                bad.Add(new BadItem(id, LabelsPath, BadReason.LabelOutsideClasses, $"label {label} is outside the class list (0..{classes.Count - 1}: {string.Join(", ", classes)})", row.Line));
                continue;
            }
            string full = FileOf(row);
            if (!File.Exists(full))
            {
                bad.Add(new BadItem(id, LabelsPath, BadReason.MissingFile, $"{full} does not exist", row.Line));
                continue;
            }
            items.Add(new RawRgbItem(id, full, label, RawSize, RawSize, row.Line));
        }
        return new SourceScan(classes, items, bad);
    }

    private static IReadOnlyList<string> DefaultClasses(List<CsvRecord> rows)
    {
        int n = 0;
        foreach (var row in rows)
        {
            if (row.Fields.Length >= 2 && int.TryParse(row.Fields[1].Trim(), CultureInfo.InvariantCulture, out int c) && c > n && c <= 1000) n = c;
        }
        if (n <= 2) return WakeVisionCsvSource.DefaultClasses;
        return Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }
}

/// <summary>A file of raw uint8 RGB pixels, HWC, Width x Height.</summary>
public sealed class RawRgbItem(string id, string path, int label, int width, int height, int line = 0)
    : SourceItem(id, path, label, GivenSplit.None, line)
{
    public int Width { get; } = width;
    public int Height { get; } = height;

    public override byte[] ReadBytes() => File.ReadAllBytes(SourceFile);

    public override RgbImage Decode(byte[] data, int minSide)
    {
        long expected = (long)Width * Height * 3;
        if (data.Length != expected)
            throw new BadItemException(BadReason.WrongSize, $"{data.Length} bytes, a raw {Width}x{Height}x3 image has {expected}");
        return new RgbImage(Width, Height, (byte[])data.Clone());
    }
}
