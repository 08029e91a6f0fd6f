using System.Globalization;
using Dnas.Data.Images;

namespace Dnas.Data.Sources;

/// <summary>MNIST-style IDX files (MNIST, Fashion-MNIST) in one folder:
/// <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c>, optionally
/// <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>, each plain or <c>.gz</c>
/// (read by <see cref="IdxDataset"/>). Gray images become RGB by replication. With t10k files the
/// t10k images are the test split and the train images are split between train and val; without
/// them everything is split by the configured fractions. Class names: the configured ones, else
/// the numbers 0..max label; a label outside the class list is a bad item.</summary>
public sealed class IdxSource : IDataSource
{
    private readonly IReadOnlyList<string>? _classes;

    public IdxSource(string folder, IReadOnlyList<string>? classes = null)
    {
        Folder = Path.GetFullPath(folder);
        _classes = classes;
    }

    public string Folder { get; }

    public string Description => $"idx {Folder}";

    private string? Find(string stem)
    {
        var plain = Path.Combine(Folder, stem);
        if (File.Exists(plain + ".gz")) return plain + ".gz";
        return File.Exists(plain) ? plain : null;
    }

    private (string Images, string Labels)? Pair(string prefix, bool required)
    {
        string? images = Find(prefix + "-images-idx3-ubyte"), labels = Find(prefix + "-labels-idx1-ubyte");
        if (images != null && labels != null) return (images, labels);
        if (!required && images == null && labels == null) return null;
        string missing = images == null ? prefix + "-images-idx3-ubyte" : prefix + "-labels-idx1-ubyte";
        throw DataException.Unreadable(Folder, $"{missing}(.gz) is missing in {Folder}; an IDX data set needs the images and labels files of '{prefix}'");
    }

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "idx");
        fingerprint.Add("classes", _classes is null ? "(labels)" : string.Join("\n", _classes));
        foreach (var prefix in new[] { "train", "t10k" })
        {
            if (Pair(prefix, prefix == "train") is not { } pair) continue;
            fingerprint.AddFile(pair.Images);
            fingerprint.AddFile(pair.Labels);
        }
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var train = Load(Pair("train", true)!.Value);
        var test = Pair("t10k", false) is { } t ? Load(t) : null;
        int max = Math.Max(MaxLabel(train), test is null ? -1 : MaxLabel(test));
        IReadOnlyList<string> classes = _classes ?? Enumerable.Range(0, Math.Max(2, max + 1)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        var items = new List<SourceItem>();
        var bad = new List<BadItem>();
        Add(train, "train", test is null ? GivenSplit.None : GivenSplit.TrainOrVal);
        if (test != null) Add(test, "t10k", GivenSplit.Test);
        return new SourceScan(classes, items, bad);

        void Add(IdxDataset set, string prefix, GivenSplit split)
        {
            for (int i = 0; i < set.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                string id = string.Create(CultureInfo.InvariantCulture, $"{prefix}/{i:D6}");
                int label = set.Labels[i];
                if (label >= classes.Count)
                {
                    bad.Add(new BadItem(id, $"{set.LabelsPath}#{i}", BadReason.LabelOutsideClasses,
                        $"label {label} is outside the class list (0..{classes.Count - 1}: {string.Join(", ", classes)})"));
                    continue;
                }
                items.Add(new IdxItem(id, set, i, label, split));
            }
        }
    }

    private static int MaxLabel(IdxDataset set)
    {
        int max = -1;
        foreach (var l in set.Labels) max = Math.Max(max, l);
        return max;
    }

    private static IdxDataset Load((string Images, string Labels) pair)
    {
        try
        {
            return IdxDataset.Load(pair.Images, pair.Labels);
        }
        catch (IdxFormatException e)
        {
            throw DataException.Unreadable(e.Path, e.Message.StartsWith(e.Path + ": ", StringComparison.Ordinal) ? e.Message[(e.Path.Length + 2)..] : e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataException.Unreadable(pair.Images, $"cannot read the IDX files: {e.Message}", e);
        }
    }
}

/// <summary>Image <see cref="Index"/> of an IDX data set (gray, replicated to RGB).</summary>
public sealed class IdxItem(string id, IdxDataset set, int index, int label, GivenSplit split)
    : SourceItem(id, $"{set.ImagesPath}#{index}", label, split)
{
    public IdxDataset Set { get; } = set;
    public int Index { get; } = index;

    public override byte[] ReadBytes() => Set.Image(Index).ToArray();

    public override RgbImage Decode(byte[] data, int minSide)
    {
        var image = new RgbImage(Set.Width, Set.Height);
        var px = image.Pixels;
        for (int i = 0; i < data.Length; i++) px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = data[i];
        return image;
    }
}
