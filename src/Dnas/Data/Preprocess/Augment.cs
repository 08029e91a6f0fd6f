using Dnas.Engine;

namespace Dnas.Data.Preprocess;

/// <summary>Training augmentation settings. Defaults: area fraction 0.6..1.0, aspect ratio
/// 3/4..4/3 (relative to the output's own aspect ratio), horizontal flip with p = 0.5,
/// brightness and contrast factors uniform in 1 ± 0.2, 10 crop attempts.</summary>
public sealed record AugmentOptions
{
    public double ScaleMin { get; init; } = 0.6;
    public double ScaleMax { get; init; } = 1.0;
    public double RatioMin { get; init; } = 3.0 / 4.0;
    public double RatioMax { get; init; } = 4.0 / 3.0;
    public double FlipProbability { get; init; } = 0.5;
    public double Brightness { get; init; } = 0.2;
    public double Contrast { get; init; } = 0.2;
    public int Attempts { get; init; } = 10;

    public static AugmentOptions Default { get; } = new();

    /// <summary>Throws on settings that make no sense.</summary>
    public void Validate()
    {
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(ScaleMin), $"crop area fraction must satisfy 0 < min <= max <= 1, got {ScaleMin}..{ScaleMax}");
        if (!(RatioMin > 0 && RatioMin <= RatioMax && double.IsFinite(RatioMax)))
            throw new ArgumentOutOfRangeException(nameof(RatioMin), $"crop aspect ratio must satisfy 0 < min <= max, got {RatioMin}..{RatioMax}");
        if (!(FlipProbability >= 0 && FlipProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(FlipProbability), $"flip probability must be 0..1, got {FlipProbability}");
        if (!(Brightness >= 0 && Brightness < 1)) throw new ArgumentOutOfRangeException(nameof(Brightness), $"brightness jitter must be 0..1 (exclusive), got {Brightness}");
        if (!(Contrast >= 0 && Contrast < 1)) throw new ArgumentOutOfRangeException(nameof(Contrast), $"contrast jitter must be 0..1 (exclusive), got {Contrast}");
        if (Attempts < 0) throw new ArgumentOutOfRangeException(nameof(Attempts), $"crop attempts must be >= 0, got {Attempts}");
    }
}

/// <summary>The augmentation of one image: the crop window handed to the integer resize (the
/// preprocessing definition itself never changes), then, in float, a horizontal flip of the
/// resized image and brightness/contrast factors (<see cref="FloatInput"/>).</summary>
public readonly record struct AugmentParams(CropWindow Window, bool Flip, float Brightness, float Contrast)
{
    /// <summary>No augmentation: the given window, no flip, factors 1.</summary>
    public static AugmentParams None(CropWindow window) => new(window, false, 1f, 1f);
}

/// <summary>Training augmentation, deterministic given an <see cref="Rng"/>; seed one per
/// (epoch, image index) with <see cref="Seed"/> so an image's augmentation depends neither on
/// the batch it lands in nor on the thread that builds it.</summary>
public static class Augment
{
    /// <summary>The seed of image <paramref name="index"/> (its index in the data set) in
    /// <paramref name="epoch"/> of a run seeded with <paramref name="runSeed"/>.</summary>
    public static ulong Seed(ulong runSeed, int epoch, int index)
    {
        ulong x = Mix(runSeed ^ 0x6A09E667F3BCC909UL);
        x = Mix(x + (ulong)(uint)epoch * 0x9E3779B97F4A7C15UL);
        return Mix(x + (ulong)(uint)index * 0xD1B54A32D192ED03UL);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Draws one image's augmentation, in this order: the random resized crop
    /// (<see cref="RandomResizedCrop"/>) inside the spec's own window, then flip
    /// (<c>NextDouble() &lt; p</c>), then brightness and contrast factors
    /// (<c>1 − j + 2j·NextDouble()</c>). All three draws are made even when a setting is 0.</summary>
    public static AugmentParams Sample(Rng rng, int sourceWidth, int sourceHeight, PreprocessSpec spec, AugmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var window = RandomResizedCrop(rng, spec.WindowFor(sourceWidth, sourceHeight), (double)spec.Width / spec.Height, options);
        bool flip = rng.NextDouble() < options.FlipProbability;
        float brightness = (float)(1 - options.Brightness + 2 * options.Brightness * rng.NextDouble());
        float contrast = (float)(1 - options.Contrast + 2 * options.Contrast * rng.NextDouble());
        return new AugmentParams(window, flip, brightness, contrast);
    }

    /// <summary>torchvision's <c>RandomResizedCrop.get_params</c> inside <paramref name="area"/>
    /// (the spec's crop window, so training crops come from the region the device sees), with
    /// the aspect ratio measured relative to <paramref name="outputAspect"/> (W/H of the model
    /// input; 1 for square inputs, where this is exactly torchvision's logic):
    /// <code>
    /// repeat Attempts times:
    ///     target = A·U(scaleMin, scaleMax),   r = exp(U(ln ratioMin, ln ratioMax))·outputAspect
    ///     w = round(sqrt(target·r)),  h = round(sqrt(target / r))       (round half to even)
    ///     if 0 &lt; w ≤ Aw and 0 &lt; h ≤ Ah:
    ///         y = NextInt(Ah − h + 1),  x = NextInt(Aw − w + 1);  return (Ax + x, Ay + y, w, h)
    /// fallback (centre crop): q = (Aw/Ah)/outputAspect;
    ///     q &lt; ratioMin: w = Aw, h = round(w / (ratioMin·outputAspect));
    ///     q &gt; ratioMax: h = Ah, w = round(h·ratioMax·outputAspect);  else w = Aw, h = Ah;
    ///     x = (Aw − w)/2, y = (Ah − h)/2 (floor)
    /// </code>
    /// with U(a, b) = a + (b − a)·NextDouble().</summary>
    public static CropWindow RandomResizedCrop(Rng rng, CropWindow area, double outputAspect, AugmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (area.Width < 1 || area.Height < 1) throw new ArgumentOutOfRangeException(nameof(area), $"crop area {area} is empty");
        if (!(outputAspect > 0) || !double.IsFinite(outputAspect)) throw new ArgumentOutOfRangeException(nameof(outputAspect));
        int aw = area.Width, ah = area.Height;
        double total = (double)aw * ah, logLo = Math.Log(options.RatioMin), logHi = Math.Log(options.RatioMax);
        for (int attempt = 0; attempt < options.Attempts; attempt++)
        {
            double target = total * (options.ScaleMin + (options.ScaleMax - options.ScaleMin) * rng.NextDouble());
            double ratio = Math.Exp(logLo + (logHi - logLo) * rng.NextDouble()) * outputAspect;
            double wd = Math.Round(Math.Sqrt(target * ratio), MidpointRounding.ToEven);
            double hd = Math.Round(Math.Sqrt(target / ratio), MidpointRounding.ToEven);
            if (wd > 0 && wd <= aw && hd > 0 && hd <= ah)
            {
                int w = (int)wd, h = (int)hd;
                int y = rng.NextInt(ah - h + 1), x = rng.NextInt(aw - w + 1);
                return new CropWindow(area.X + x, area.Y + y, w, h);
            }
        }
        double q = (double)aw / ah / outputAspect;
        int fw = aw, fh = ah;
        if (q < options.RatioMin) fh = Math.Clamp((int)Math.Round(aw / (options.RatioMin * outputAspect), MidpointRounding.ToEven), 1, ah);
        else if (q > options.RatioMax) fw = Math.Clamp((int)Math.Round(ah * options.RatioMax * outputAspect, MidpointRounding.ToEven), 1, aw);
        return new CropWindow(area.X + (aw - fw) / 2, area.Y + (ah - fh) / 2, fw, fh);
    }
}
