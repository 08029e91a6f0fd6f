using Dnas.Data.Images;
using Dnas.Engine;

namespace Dnas.Data.Preprocess;

/// <summary>Images a batch can be filled from without copying them: RGB, HWC, uint8
/// (a list of <see cref="RgbImage"/>, or the memory-mapped prepared store).</summary>
public interface IImageSource
{
    int Count { get; }
    int WidthOf(int i);
    int HeightOf(int i);
    /// <summary>Image <paramref name="i"/>'s pixels, WidthOf(i)·HeightOf(i)·3 bytes.</summary>
    ReadOnlySpan<byte> PixelsOf(int i);
}

/// <summary>A list of decoded images as an <see cref="IImageSource"/>.</summary>
public sealed class RgbImageList(IReadOnlyList<RgbImage> images) : IImageSource
{
    /// <summary>Settable so one wrapper can serve call after call without allocating.</summary>
    public IReadOnlyList<RgbImage> Images { get; set; } = images;
    public int Count => Images.Count;
    public int WidthOf(int i) => Images[i].Width;
    public int HeightOf(int i) => Images[i].Height;
    public ReadOnlySpan<byte> PixelsOf(int i) => Images[i].Pixels;
}

/// <summary>Fills a float NHWC batch [N, H, W, C] from source images through the one
/// preprocessing definition (<see cref="Preprocessor"/>), with per-image training augmentation
/// when <see cref="Augmentation"/> is set. Images are spread over <see cref="Workers"/>; each
/// image's result depends only on the image, the spec, the run seed, the epoch and the image's
/// data-set index, never on the thread count. Allocation-free once the work buffers have grown
/// to the largest source frame.</summary>
public sealed class BatchBuilder
{
    private sealed class Slot
    {
        public readonly Preprocessor Pre;
        public readonly Rng Rng = new(0);
        public Slot(PreprocessSpec spec) { Pre = new Preprocessor(spec); }
    }

    private Slot[] _slots = [];
    private readonly RgbImageList _list = new([]);

    public PreprocessSpec Spec { get; }
    /// <summary>Null for evaluation batches (no augmentation).</summary>
    public AugmentOptions? Augmentation { get; }
    public Normalization? Normalization { get; }
    public ulong Seed { get; }

    public BatchBuilder(PreprocessSpec spec, AugmentOptions? augmentation = null, Normalization? normalization = null, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        augmentation?.Validate();
        normalization?.RequireChannels(spec.Channels);
        Spec = spec;
        Augmentation = augmentation;
        Normalization = normalization;
        Seed = seed;
    }

    /// <summary>The augmentation image <paramref name="index"/> gets in <paramref name="epoch"/>
    /// (none when <see cref="Augmentation"/> is null); <paramref name="rng"/> is reseeded.</summary>
    public AugmentParams ParamsFor(Rng rng, RgbImage image, int epoch, int index)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ParamsFor(rng, image.Width, image.Height, epoch, index);
    }

    /// <summary>As above, for a source image of the given size.</summary>
    public AugmentParams ParamsFor(Rng rng, int width, int height, int epoch, int index)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (Augmentation == null) return AugmentParams.None(Spec.WindowFor(width, height));
        rng.Reseed(Augment.Seed(Seed, epoch, index));
        return Augment.Sample(rng, width, height, Spec, Augmentation);
    }

    /// <summary>Fills <paramref name="batch"/> (reshaped to [images.Count, H, W, C]; it grows
    /// only when too small) with the preprocessed <paramref name="images"/>.
    /// <paramref name="indices"/> gives each image's data-set index for the augmentation seed
    /// (default: its position in the list).</summary>
    public void Fill(IReadOnlyList<RgbImage> images, Tensor batch, int epoch = 0, IReadOnlyList<int>? indices = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (indices != null && indices.Count != images.Count)
            throw new ArgumentException($"{indices.Count} indices for {images.Count} images", nameof(indices));
        _list.Images = images;
        try { Fill(_list, null, batch, epoch, indices); }
        finally { _list.Images = []; }
    }

    /// <summary>Fills <paramref name="batch"/> with the images <paramref name="items"/> of
    /// <paramref name="source"/> (e.g. the prepared store), read in place; each item's index in
    /// the source seeds its augmentation.</summary>
    public void Fill(IImageSource source, IReadOnlyList<int> items, Tensor batch, int epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (int i in items)
            if ((uint)i >= (uint)source.Count) throw new ArgumentOutOfRangeException(nameof(items), $"item {i} of a source of {source.Count}");
        Fill(source, items, batch, epoch, items);
    }

    private void Fill(IImageSource source, IReadOnlyList<int>? items, Tensor batch, int epoch, IReadOnlyList<int>? indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(batch);
        int n = items?.Count ?? source.Count;
        batch.Reshape4(n, Spec.Height, Spec.Width, Spec.Channels);
        if (n == 0) return;
        int parts = Math.Min(Workers.Threads, n);
        if (_slots.Length < parts)
        {
            var slots = new Slot[parts];
            for (int i = 0; i < parts; i++) slots[i] = i < _slots.Length ? _slots[i] : new Slot(Spec);
            _slots = slots;
        }
        var op = new FillOp { Owner = this, Source = source, Items = items, Indices = indices, Batch = batch, Epoch = epoch, Count = n, Parts = parts };
        Workers.For(parts, op);
    }

    private void FillOne(Slot slot, IImageSource source, int item, int epoch, int index, Span<float> destination)
    {
        int w = source.WidthOf(item), h = source.HeightOf(item);
        var p = ParamsFor(slot.Rng, w, h, epoch, index);
        slot.Pre.ToFloat(source.PixelsOf(item), w, h, 3, p, destination, Normalization);
    }

    private struct FillOp : IRangeOp
    {
        public BatchBuilder Owner;
        public IImageSource Source;
        public IReadOnlyList<int>? Items;
        public IReadOnlyList<int>? Indices;
        public Tensor Batch;
        public int Epoch, Count, Parts;

        public readonly void Run(int start, int end)
        {
            int length = Owner.Spec.Length;
            for (int part = start; part < end; part++)
            {
                var slot = Owner._slots[part];
                int i0 = (int)((long)Count * part / Parts), i1 = (int)((long)Count * (part + 1) / Parts);
                for (int i = i0; i < i1; i++)
                    Owner.FillOne(slot, Source, Items?[i] ?? i, Epoch, Indices?[i] ?? i, Batch.Span.Slice(i * length, length));
            }
        }
    }
}
