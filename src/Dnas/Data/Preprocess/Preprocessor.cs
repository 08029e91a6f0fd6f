using Dnas.Data.Images;

namespace Dnas.Data.Preprocess;

/// <summary>The one preprocessing definition, for a <see cref="PreprocessSpec"/>: source frame
/// (HWC uint8, 1 or 3 channels, any size) → crop window (<see cref="CropWindow"/>) → gray
/// conversion of the window's pixels when the spec is gray (<see cref="Color"/>) → integer
/// resize (<see cref="Resizer"/>) → the uint8 model image, then either int8 by table lookup
/// (<see cref="QuantizeTable"/>, what the firmware feeds the model) or float v/255
/// (<see cref="FloatInput"/>, what training uses). README.md in this folder spells out every
/// formula. An instance keeps work buffers; it is not thread-safe.</summary>
public sealed class Preprocessor
{
    private readonly Resizer _resizer = new();
    private readonly byte[] _pixels;

    public PreprocessSpec Spec { get; }

    public Preprocessor(PreprocessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _pixels = new byte[spec.Length];
    }

    /// <summary>The resizer (its taps show what the last call used).</summary>
    public Resizer Resizer => _resizer;

    /// <summary>The uint8 model image of the last call.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Source frame → the spec's window → uint8 model image (HWC, Spec.Length bytes).</summary>
    public void ToBytes(ReadOnlySpan<byte> source, int width, int height, int channels, Span<byte> destination) =>
        ToBytes(source, width, height, channels, Spec.WindowFor(width, height), destination);

    /// <summary>Source frame → the given window (e.g. an augmentation's) → uint8 model image.</summary>
    public void ToBytes(ReadOnlySpan<byte> source, int width, int height, int channels, CropWindow window, Span<byte> destination) =>
        _resizer.Run(source, width, height, channels, window, destination, Spec.Width, Spec.Height, Spec.Channels, Spec.Resize);

    public void ToBytes(RgbImage image, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ToBytes(image.Pixels, image.Width, image.Height, 3, destination);
    }

    /// <summary>Source frame → int8 model input (what the firmware computes).</summary>
    public void ToInt8(ReadOnlySpan<byte> source, int width, int height, int channels, QuantizeTable table, Span<sbyte> destination)
    {
        ArgumentNullException.ThrowIfNull(table);
        ToBytes(source, width, height, channels, _pixels);
        table.Apply(_pixels, destination, Spec.Channels);
    }

    public void ToInt8(RgbImage image, QuantizeTable table, Span<sbyte> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ToInt8(image.Pixels, image.Width, image.Height, 3, table, destination);
    }

    /// <summary>Source frame → float model input v/255 (then <paramref name="normalization"/>), no augmentation.</summary>
    public void ToFloat(ReadOnlySpan<byte> source, int width, int height, int channels, Span<float> destination, Normalization? normalization = null)
    {
        ToBytes(source, width, height, channels, _pixels);
        FloatInput.Write(_pixels, destination, Spec.Channels, normalization);
    }

    /// <summary>Source frame → augmented float input: the integer resize of
    /// <paramref name="augment"/>'s window, then its flip and jitter in float.</summary>
    public void ToFloat(ReadOnlySpan<byte> source, int width, int height, int channels, in AugmentParams augment,
        Span<float> destination, Normalization? normalization = null)
    {
        ToBytes(source, width, height, channels, augment.Window, _pixels);
        FloatInput.Write(_pixels, Spec.Width, Spec.Height, Spec.Channels, augment, destination, normalization);
    }
}
