using Dnas.Data.Images;
using Dnas.Engine;

namespace Dnas.Data.Preprocess;

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
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(image);
        if (Augmentation == null) return AugmentParams.None(Spec.WindowFor(image.Width, image.Height));
        rng.Reseed(Augment.Seed(Seed, epoch, index));
        return Augment.Sample(rng, image.Width, image.Height, Spec, Augmentation);
    }

    /// <summary>Fills <paramref name="batch"/> (reshaped to [images.Count, H, W, C]; it grows
    /// only when too small) with the preprocessed <paramref name="images"/>.
    /// <paramref name="indices"/> gives each image's data-set index for the augmentation seed
    /// (default: its position in the list).</summary>
    public void Fill(IReadOnlyList<RgbImage> images, Tensor batch, int epoch = 0, IReadOnlyList<int>? indices = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(batch);
        int n = images.Count;
        if (indices != null && indices.Count != n)
            throw new ArgumentException($"{indices.Count} indices for {n} images", nameof(indices));
        batch.Reshape4(n, Spec.Height, Spec.Width, Spec.Channels);
        if (n == 0) return;
        int parts = Math.Min(Workers.Threads, n);
        if (_slots.Length < parts)
        {
            var slots = new Slot[parts];
            for (int i = 0; i < parts; i++) slots[i] = i < _slots.Length ? _slots[i] : new Slot(Spec);
            _slots = slots;
        }
        var op = new FillOp { Owner = this, Images = images, Indices = indices, Data = batch.Data, Epoch = epoch, Count = n, Parts = parts };
        Workers.For(parts, op);
    }

    private void FillOne(Slot slot, RgbImage image, int epoch, int index, Span<float> destination)
    {
        var p = ParamsFor(slot.Rng, image, epoch, index);
        slot.Pre.ToFloat(image.Pixels, image.Width, image.Height, 3, p, destination, Normalization);
    }

    private struct FillOp : IRangeOp
    {
        public BatchBuilder Owner;
        public IReadOnlyList<RgbImage> Images;
        public IReadOnlyList<int>? Indices;
        public float[] Data;
        public int Epoch, Count, Parts;

        public readonly void Run(int start, int end)
        {
            int length = Owner.Spec.Length;
            for (int part = start; part < end; part++)
            {
                var slot = Owner._slots[part];
                int i0 = (int)((long)Count * part / Parts), i1 = (int)((long)Count * (part + 1) / Parts);
                for (int i = i0; i < i1; i++)
                    Owner.FillOne(slot, Images[i], Epoch, Indices?[i] ?? i, Data.AsSpan(i * length, length));
            }
        }
    }
}
