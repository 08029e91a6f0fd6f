using System.Globalization;
using System.Text;
using Dnas.Config;
using Dnas.Data.Images;
using Dnas.Data.Synthetic;

namespace Dnas.Data.Sources;

/// <summary><c>source: synthetic</c>, the built-in default: <see cref="SyntheticScenes"/>
/// person / no-person scenes, image i a pure function of (seed, i). There are no files: an
/// item's "bytes" are its description (so the store's content hash names the scene), and
/// decoding renders it directly at the store's resolution, so crop and resize are identities.</summary>
public sealed class SyntheticSource : IDataSource
{
    /// <summary>Bump when the generator's drawing changes, so stores built by an older
    /// generator are rebuilt rather than reused.</summary>
    public const int GeneratorVersion = 1;

    /// <summary>Render size when the caller gives no size hint.</summary>
    public const int DefaultSide = 96;

    private readonly SyntheticScenes _scenes;

    public SyntheticSource(int images, ulong seed, IReadOnlyList<string>? classes)
    {
        if (images < 2) throw new ArgumentOutOfRangeException(nameof(images), images, "a synthetic data set needs at least 2 images");
        if (classes is not null && !classes.SequenceEqual(SyntheticScenes.ClassNames))
            throw new DataException(Diagnostic.Error(DiagnosticCodes.OutOfRange,
                $"the synthetic source has the classes [{string.Join(", ", SyntheticScenes.ClassNames)}]; remove 'data.classes' or list exactly those"));
        Images = images;
        Seed = seed;
        _scenes = new SyntheticScenes(unchecked((int)seed));
    }

    public int Images { get; }
    public ulong Seed { get; }

    public string Description => $"synthetic person / no-person scenes ({Images} images, seed {Seed})";

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "synthetic");
        fingerprint.Add("generator", GeneratorVersion);
        fingerprint.Add("images", Images);
        fingerprint.Add("seed", Seed.ToString(CultureInfo.InvariantCulture));
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var items = new SourceItem[Images];
        for (int i = 0; i < Images; i++)
        {
            cancel.ThrowIfCancellationRequested();
            items[i] = new SceneItem(_scenes, i);
        }
        return new SourceScan(SyntheticScenes.ClassNames, items, []);
    }

    private sealed class SceneItem(SyntheticScenes scenes, long index)
        : SourceItem($"scene-{index:D7}", $"synthetic#{index}", scenes.Label(index), GivenSplit.None)
    {
        public override byte[] ReadBytes() =>
            Encoding.UTF8.GetBytes($"synthetic v{GeneratorVersion} seed {scenes.Seed} index {index}");

        public override RgbImage Decode(byte[] data, int minSide)
        {
            int side = Math.Clamp(minSide > 0 ? minSide : DefaultSide, SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
            return scenes.Render(index, side, side);
        }
    }
}
