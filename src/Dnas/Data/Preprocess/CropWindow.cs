namespace Dnas.Data.Preprocess;

/// <summary>A rectangle of the source frame, in whole pixels: columns X..X+Width-1, rows
/// Y..Y+Height-1. The resize reads only this rectangle, so a firmware can hand it the camera
/// frame as it is (no copy).</summary>
public readonly record struct CropWindow(int X, int Y, int Width, int Height)
{
    /// <summary>The whole <paramref name="width"/> x <paramref name="height"/> frame.</summary>
    public static CropWindow Full(int width, int height)
    {
        RequireSize(width, height);
        return new CropWindow(0, 0, width, height);
    }

    /// <summary>The largest centred window of a <paramref name="sourceWidth"/> x
    /// <paramref name="sourceHeight"/> frame with the aspect ratio of a
    /// <paramref name="targetWidth"/> x <paramref name="targetHeight"/> output, in integers:
    /// <code>
    /// if Sw·Th ≥ Sh·Tw (source at least as wide):  Ch = Sh, Cw = max(1, floor(Sh·Tw / Th))
    /// else:                                        Cw = Sw, Ch = max(1, floor(Sw·Th / Tw))
    /// X = floor((Sw − Cw) / 2),  Y = floor((Sh − Ch) / 2)
    /// </code>
    /// (products in 64 bits). For a square output this is the centred Ch x Ch (or Cw x Cw) square.</summary>
    public static CropWindow Centre(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight)
    {
        RequireSize(sourceWidth, sourceHeight);
        RequireSize(targetWidth, targetHeight);
        long wide = (long)sourceWidth * targetHeight, tall = (long)sourceHeight * targetWidth;
        int cw, ch;
        if (wide >= tall)
        {
            ch = sourceHeight;
            cw = (int)Math.Max(1, tall / targetHeight);
        }
        else
        {
            cw = sourceWidth;
            ch = (int)Math.Max(1, wide / targetWidth);
        }
        return new CropWindow((sourceWidth - cw) / 2, (sourceHeight - ch) / 2, cw, ch);
    }

    /// <summary>Throws unless the window is non-empty and lies inside a <paramref name="width"/> x <paramref name="height"/> frame.</summary>
    public void RequireInside(int width, int height)
    {
        if (Width < 1 || Height < 1 || X < 0 || Y < 0 || (long)X + Width > width || (long)Y + Height > height)
            throw new ArgumentOutOfRangeException(nameof(CropWindow), $"crop window {this} is not a non-empty part of a {width}x{height} frame");
    }

    private static void RequireSize(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size must be positive, got {width}x{height}");
    }

    public override string ToString() => $"{Width}x{Height}+{X}+{Y}";
}
