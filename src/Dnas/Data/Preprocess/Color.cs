namespace Dnas.Data.Preprocess;

/// <summary>RGB to gray with the ITU-R BT.601 luma weights in 8-bit fixed point:
/// <c>gray = (77·R + 150·G + 29·B + 128) &gt;&gt; 8</c>. The weights sum to 256, so the result is
/// always 0..255 and pure gray (R = G = B) maps to itself.</summary>
public static class Color
{
    public const int WeightR = 77, WeightG = 150, WeightB = 29;

    public static byte Gray(int r, int g, int b) => (byte)((WeightR * r + WeightG * g + WeightB * b + 128) >> 8);

    /// <summary>Converts interleaved R,G,B bytes to one gray byte per pixel.</summary>
    public static void ToGray(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        if (rgb.Length % 3 != 0) throw new ArgumentException($"RGB data must be a multiple of 3 bytes, got {rgb.Length}", nameof(rgb));
        int n = rgb.Length / 3;
        if (gray.Length < n) throw new ArgumentException($"gray output holds {gray.Length} pixels, need {n}", nameof(gray));
        for (int i = 0; i < n; i++)
            gray[i] = Gray(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
    }
}
