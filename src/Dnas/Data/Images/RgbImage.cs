namespace Dnas.Data.Images;

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved R,G,B (HWC uint8):
/// what every decoder produces, what the synthetic generator draws, and what the prepared
/// store keeps.</summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Width·Height·3 bytes, row-major, R,G,B.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size must be positive, got {width}x{height}");
        long n = (long)width * height * 3;
        if (n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(width), $"image {width}x{height} is too large");
        if (pixels != null && pixels.Length != n)
            throw new ArgumentException($"a {width}x{height} RGB image needs {n} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[n];
    }

    public Span<byte> Row(int y) => Pixels.AsSpan(y * Width * 3, Width * 3);

    public override string ToString() => $"RgbImage {Width}x{Height}";
}
