using Microsoft.Win32.SafeHandles;

namespace Dnas.Data.Sources;

/// <summary>Wake Vision as TFDS writes it: TFRecord shards (<c>*.tfrecord*</c>) of
/// <c>tf.train.Example</c>s with the features <c>image</c> (encoded JPEG bytes), <c>person</c>
/// (int64, 0 or 1) and <c>filename</c> (bytes; other features are ignored). <see cref="Path"/> is
/// one shard or a folder of shards (not searched recursively).
/// <para>A shard whose name holds the token train, validation/val or test (between '-', '_' or
/// '.', as in TFDS's <c>wake_vision-train.tfrecord-00000-of-01024</c>) gives its records that
/// split. Records with a CRC mismatch, cut short, not parsable, or lacking <c>image</c> or
/// <c>person</c> are bad; so is a person value other than 0 or 1. The image bytes are not kept in
/// memory: an item remembers their offset in the shard and reads them when it is decoded.</para></summary>
public sealed class WakeVisionTfRecordSource : IDataSource
{
    private static readonly string[] Wanted = ["image", "person", "filename"];
    private readonly IReadOnlyList<string> _classes;
    private List<string>? _shards;

    public WakeVisionTfRecordSource(string path, IReadOnlyList<string>? classes = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        _classes = classes ?? WakeVisionCsvSource.DefaultClasses;
        if (_classes.Count != 2) throw new ArgumentException("Wake Vision has two classes (person 0 and 1)", nameof(classes));
    }

    public string Path { get; }

    public string Description => $"wake-vision TFRecord {Path}";

    /// <summary>The shards, sorted by name.</summary>
    public IReadOnlyList<string> Shards()
    {
        if (_shards != null) return _shards;
        if (File.Exists(Path)) return _shards = [Path];
        if (!Directory.Exists(Path)) throw DataException.Unreadable(Path, $"{Path} does not exist (a TFRecord shard or a folder of *.tfrecord* shards)");
        var shards = Directory.EnumerateFiles(Path)
            .Where(f => System.IO.Path.GetFileName(f).Contains(".tfrecord", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        if (shards.Count == 0) throw DataException.Unreadable(Path, $"no *.tfrecord* shards in {Path}");
        return _shards = shards;
    }

    /// <summary>The split a shard name announces, or <see cref="GivenSplit.None"/>.</summary>
    public static GivenSplit SplitOfShard(string fileName)
    {
        var found = GivenSplit.None;
        foreach (var token in fileName.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries))
            if (WakeVisionCsvSource.ParseSplit(token) is { } s) found = s;
        return found;
    }

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "wake-vision-tfrecord");
        fingerprint.Add("classes", string.Join("\n", _classes));
        foreach (var shard in Shards()) fingerprint.AddFile(shard);
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var items = new List<SourceItem>();
        var bad = new List<BadItem>();
        foreach (var shard in Shards())
        {
            string name = System.IO.Path.GetFileName(shard);
            var split = SplitOfShard(name);
            using var records = TfRecordReader.Read(shard).GetEnumerator();
            while (true)
            {
                try
                {
                    if (!records.MoveNext()) break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw DataException.Unreadable(shard, $"cannot read the shard: {e.Message}", e);
                }
                var record = records.Current;
                cancel.ThrowIfCancellationRequested();
                string id = $"{name}#{record.Index}", where = $"{shard}#{record.Index}";
                if (record.Problem is { } problem)
                {
                    bad.Add(new BadItem(id, where, BadReason.BadRecord, problem));
                    continue;
                }
                var data = record.Data!;
                Dictionary<string, TfFeature> features;
                try
                {
                    features = TfExample.Parse(data, Wanted);
                }
                catch (IOException e)
                {
                    bad.Add(new BadItem(id, where, BadReason.BadRecord, $"not a tf.train.Example: {e.Message}"));
                    continue;
                }
                features.TryGetValue("image", out var image);
                features.TryGetValue("person", out var person);
                if (image is not { Kind: TfFeature.FeatureKind.Bytes, Bytes.Count: > 0 })
                {
                    bad.Add(new BadItem(id, where, BadReason.BadRecord, "no 'image' bytes feature"));
                    continue;
                }
                if (person is not { Kind: TfFeature.FeatureKind.Int64, Int64s.Count: > 0 })
                {
                    bad.Add(new BadItem(id, where, BadReason.BadRecord, "no 'person' int64 feature"));
                    continue;
                }
                if (TfExample.FirstString(data, features.GetValueOrDefault("filename")) is { Length: > 0 } filename) id = filename;
                long label = person.Int64s[0];
                if (label is not (0 or 1))
                {
                    bad.Add(new BadItem(id, where, BadReason.LabelOutsideClasses, $"person value {label} is outside the class list (0 = {_classes[0]}, 1 = {_classes[1]})"));
                    continue;
                }
                var (offset, length) = image.Bytes[0];
                items.Add(new TfRecordItem(id, shard, record.Index, record.DataOffset + offset, length, (int)label, split));
            }
        }
        return new SourceScan(_classes, items, bad);
    }
}

/// <summary>An image inside a TFRecord shard: <see cref="Length"/> bytes at <see cref="Offset"/>.</summary>
public sealed class TfRecordItem(string id, string shard, int record, long offset, int length, int label, GivenSplit split)
    : SourceItem(id, $"{shard}#{record}", label, split)
{
    public string Shard { get; } = shard;
    public long Offset { get; } = offset;
    public int Length { get; } = length;

    public override byte[] ReadBytes()
    {
        using SafeFileHandle handle = File.OpenHandle(Shard, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[Length];
        int total = 0;
        while (total < Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(total), Offset + total);
            if (n == 0) throw new EndOfStreamException($"{Shard} ended at offset {Offset + total}, inside the image of record {SourceFile}");
            total += n;
        }
        return buffer;
    }
}
