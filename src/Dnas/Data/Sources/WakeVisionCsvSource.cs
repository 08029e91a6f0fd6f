using System.Globalization;

namespace Dnas.Data.Sources;

/// <summary>Wake Vision as published on Harvard Dataverse: a CSV with a header row holding at
/// least the columns <c>filename</c> (relative to the image root) and <c>person</c> (0 or 1);
/// other columns are ignored except an optional <c>split</c> (train, validation/val, test) that
/// fixes the item's split. Classes: <c>no_person</c> (person 0) and <c>person</c> (person 1),
/// or the two configured names.
/// <para>Bad rows (too few fields, empty filename, a person value that is not an integer, an
/// unknown split), rows naming files that do not exist, and person values other than 0 and 1
/// are skipped and reported with their CSV line.</para></summary>
public sealed class WakeVisionCsvSource : IDataSource
{
    public static readonly IReadOnlyList<string> DefaultClasses = ["no_person", "person"];

    private readonly IReadOnlyList<string> _classes;
    private List<Row>? _rows;

    private readonly record struct Row(int Line, string Filename, string Full, string Person, string? SplitText, string? Problem);

    public WakeVisionCsvSource(string csv, string? imageRoot = null, IReadOnlyList<string>? classes = null)
    {
        CsvPath = Path.GetFullPath(csv);
        ImageRoot = Path.GetFullPath(imageRoot ?? Path.GetDirectoryName(CsvPath)!);
        _classes = classes ?? DefaultClasses;
        if (_classes.Count != 2) throw new ArgumentException("Wake Vision has two classes (person 0 and 1)", nameof(classes));
    }

    public string CsvPath { get; }
    public string ImageRoot { get; }

    public string Description => $"wake-vision {CsvPath} (images in {ImageRoot})";

    private List<Row> Rows()
    {
        if (_rows != null) return _rows;
        var records = Csv.ReadSourceFile(CsvPath, "the CSV");
        if (records.Count == 0) throw DataException.Unreadable(CsvPath, "the CSV is empty; it needs a header row with 'filename' and 'person'", line: 1, column: 1);
        var header = records[0].Fields;
        int file = Csv.Column(header, "filename"), person = Csv.Column(header, "person"), split = Csv.Column(header, "split");
        if (file < 0 || person < 0)
            throw DataException.Unreadable(CsvPath,
                $"the header has no '{(file < 0 ? "filename" : "person")}' column (columns: {string.Join(", ", header)}); Wake Vision CSVs have 'filename' and 'person'",
                line: records[0].Line, column: 1);
        var rows = new List<Row>(records.Count - 1);
        int needed = Math.Max(file, Math.Max(person, split)) + 1;
        foreach (var r in records.Skip(1))
        {
            if (r.Fields.Length < needed)
            {
                rows.Add(new Row(r.Line, "", "", "", null, $"{r.Fields.Length} fields, the header has {header.Length}"));
                continue;
            }
            string name = r.Fields[file].Trim();
            if (name.Length == 0)
            {
                rows.Add(new Row(r.Line, "", "", "", null, "empty filename"));
                continue;
            }
            string full = Path.GetFullPath(Path.Combine(ImageRoot, name));
            rows.Add(new Row(r.Line, name.Replace('\\', '/'), full, r.Fields[person].Trim(), split >= 0 ? r.Fields[split].Trim() : null, null));
        }
        return _rows = rows;
    }

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "wake-vision-csv");
        fingerprint.AddFile(CsvPath);
        fingerprint.Add("root", ImageRoot);
        fingerprint.Add("classes", string.Join("\n", _classes));
        foreach (var row in Rows())
            if (row.Problem is null) fingerprint.AddFile(row.Full);
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var items = new List<SourceItem>();
        var bad = new List<BadItem>();
        string csvName = Path.GetFileName(CsvPath);
        foreach (var row in Rows())
        {
            cancel.ThrowIfCancellationRequested();
            string id = row.Filename.Length > 0 ? row.Filename : $"{csvName}:{row.Line}";
            if (row.Problem is { } problem)
            {
                bad.Add(new BadItem(id, CsvPath, BadReason.BadRow, $"{problem}", row.Line));
                continue;
            }
            if (!long.TryParse(row.Person, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long person))
            {
                bad.Add(new BadItem(id, CsvPath, BadReason.BadRow, $"person value '{row.Person}' is not 0 or 1", row.Line));
                continue;
            }
            if (person is not (0 or 1))
            {
                bad.Add(new BadItem(id, CsvPath, BadReason.LabelOutsideClasses, $"person value {person} is outside the class list (0 = {_classes[0]}, 1 = {_classes[1]})", row.Line));
                continue;
            }
            GivenSplit given = GivenSplit.None;
            if (row.SplitText is { Length: > 0 } s)
            {
                if (ParseSplit(s) is { } g) given = g;
                else
                {
                    bad.Add(new BadItem(id, CsvPath, BadReason.BadRow, $"split '{s}' is not train, validation or test", row.Line));
                    continue;
                }
            }
            if (!File.Exists(row.Full))
            {
                bad.Add(new BadItem(id, CsvPath, BadReason.MissingFile, $"{row.Full} does not exist", row.Line));
                continue;
            }
            items.Add(new FileItem(id, row.Full, (int)person, given, row.Line));
        }
        return new SourceScan(_classes, items, bad);
    }

    /// <summary>train/training, validation/val/valid/dev, test (case-insensitive).</summary>
    public static GivenSplit? ParseSplit(string text) => text.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => GivenSplit.Train,
        "validation" or "val" or "valid" or "dev" => GivenSplit.Val,
        "test" or "testing" => GivenSplit.Test,
        _ => null,
    };
}
