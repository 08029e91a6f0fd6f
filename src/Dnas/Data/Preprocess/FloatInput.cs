namespace Dnas.Data.Preprocess;

/// <summary>The float input used for training: x = v / 255 (float32 division), then, for
/// training only, flip and brightness/contrast jitter (<see cref="AugmentParams"/>), then the
/// optional <see cref="Normalization"/>. Without augmentation it equals the dequantized int8
/// input (<see cref="QuantizeTable"/>) up to the quantization error.</summary>
public static class FloatInput
{
    private static readonly float[] Unit = MakeUnit();

    private static float[] MakeUnit()
    {
        var t = new float[256];
        for (int v = 0; v < 256; v++) t[v] = v / 255f;
        return t;
    }

    /// <summary>v / 255 in float32.</summary>
    public static float Value(byte v) => Unit[v];

    /// <summary>HWC uint8 pixels → HWC floats, no augmentation.</summary>
    public static void Write(ReadOnlySpan<byte> pixels, Span<float> destination, int channels, Normalization? normalization = null)
    {
        if (destination.Length < pixels.Length) throw new ArgumentException($"output holds {destination.Length} values, need {pixels.Length}", nameof(destination));
        normalization?.RequireChannels(channels);
        var d = destination[..pixels.Length];
        for (int i = 0; i < pixels.Length; i++) d[i] = Unit[pixels[i]];
        normalization?.Apply(d, channels);
    }

    /// <summary>HWC uint8 pixels (<paramref name="width"/> x <paramref name="height"/> x
    /// <paramref name="channels"/>, the output of the integer resize of
    /// <paramref name="augment"/>'s window) → HWC floats with the augmentation's flip and
    /// jitter, then <paramref name="normalization"/>:
    /// <code>
    /// x  = P(y, flip ? W−1−x : x, c) / 255
    /// x' = min(1, x · brightness)
    /// m  = (float)(Σ gray(x') / (W·H))     gray = 0.299f·R + 0.587f·G + 0.114f·B in float32 (gray images: the value),
    ///                                    summed in double in pixel order
    /// x" = clamp(contrast · x' + (1 − contrast) · m, 0, 1)   (float32; (1 − contrast)·m computed once)
    /// </code>
    /// Brightness 1 and contrast 1 leave x unchanged.</summary>
    public static void Write(ReadOnlySpan<byte> pixels, int width, int height, int channels, in AugmentParams augment,
        Span<float> destination, Normalization? normalization = null)
    {
        if (channels != 1 && channels != 3) throw new ArgumentOutOfRangeException(nameof(channels), $"images have 1 or 3 channels, got {channels}");
        int n = width * height * channels;
        if (pixels.Length < n) throw new ArgumentException($"a {width}x{height}x{channels} image needs {n} bytes, got {pixels.Length}", nameof(pixels));
        if (destination.Length < n) throw new ArgumentException($"output holds {destination.Length} values, need {n}", nameof(destination));
        normalization?.RequireChannels(channels);
        var d = destination[..n];
        int rowLength = width * channels;
        for (int y = 0; y < height; y++)
        {
            var src = pixels.Slice(y * rowLength, rowLength);
            var dst = d.Slice(y * rowLength, rowLength);
            if (!augment.Flip)
            {
                for (int i = 0; i < rowLength; i++) dst[i] = Unit[src[i]];
            }
            else
            {
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < channels; c++)
                        dst[x * channels + c] = Unit[src[(width - 1 - x) * channels + c]];
            }
        }
        float b = augment.Brightness;
        if (b != 1f)
            for (int i = 0; i < d.Length; i++) d[i] = Math.Min(1f, d[i] * b);
        float k = augment.Contrast;
        if (k != 1f)
        {
            double sum = 0;
            if (channels == 1)
                for (int i = 0; i < d.Length; i++) sum += d[i];
            else
                for (int i = 0; i < d.Length; i += 3) sum += 0.299f * d[i] + 0.587f * d[i + 1] + 0.114f * d[i + 2];
            float offset = (1f - k) * (float)(sum / (width * height));
            for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(k * d[i] + offset, 0f, 1f);
        }
        normalization?.Apply(d, channels);
    }
}
