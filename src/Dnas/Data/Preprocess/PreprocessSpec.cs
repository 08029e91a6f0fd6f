namespace Dnas.Data.Preprocess;

/// <summary>Colour of the model input: one gray channel (BT.601, see <see cref="Color"/>) or three RGB channels.</summary>
public enum ColorMode
{
    Gray,
    Rgb,
}

/// <summary>How the crop window is scaled to the model resolution (see <see cref="AxisTaps"/>).</summary>
public enum ResizeMethod
{
    /// <summary>Area averaging (box filter with fractional coverage) on an axis that shrinks or
    /// keeps its size, pixel-centre bilinear on an axis that grows. The default.</summary>
    Area,
    /// <summary>Pixel-centre bilinear on both axes (two taps per axis; aliases when shrinking a lot).</summary>
    Bilinear,
    /// <summary>Nearest pixel centre (one tap per axis).</summary>
    Nearest,
}

/// <summary>Which part of the source frame becomes the model input.</summary>
public enum CropMode
{
    /// <summary>The largest centred window with the output's aspect ratio (no distortion).</summary>
    CentreCrop,
    /// <summary>The whole frame, stretched to the output size.</summary>
    Squash,
}

/// <summary>The preprocessing of one model input: resolution, colour mode, resize method and
/// crop mode. Its text form (<c>"96x96 rgb area centre-crop"</c>) is stable and is what the
/// model metadata records; <see cref="Parse"/> reads it back.</summary>
public sealed record PreprocessSpec
{
    /// <summary>Largest accepted output side.</summary>
    public const int MaxSide = 4096;

    public int Width { get; }
    public int Height { get; }
    public ColorMode Color { get; }
    public ResizeMethod Resize { get; }
    public CropMode Crop { get; }

    public PreprocessSpec(int width, int height, ColorMode color, ResizeMethod resize = ResizeMethod.Area, CropMode crop = CropMode.CentreCrop)
    {
        if (width < 1 || width > MaxSide || height < 1 || height > MaxSide)
            throw new ArgumentOutOfRangeException(nameof(width), $"model input size must be 1..{MaxSide} on each side, got {width}x{height}");
        if (!Enum.IsDefined(color)) throw new ArgumentOutOfRangeException(nameof(color));
        if (!Enum.IsDefined(resize)) throw new ArgumentOutOfRangeException(nameof(resize));
        if (!Enum.IsDefined(crop)) throw new ArgumentOutOfRangeException(nameof(crop));
        Width = width;
        Height = height;
        Color = color;
        Resize = resize;
        Crop = crop;
    }

    /// <summary>A square R x R input with area resize and centre crop.</summary>
    public static PreprocessSpec Square(int resolution, ColorMode color) => new(resolution, resolution, color);

    /// <summary>1 for gray, 3 for RGB.</summary>
    public int Channels => Color == ColorMode.Gray ? 1 : 3;

    /// <summary>Bytes (or floats) of one preprocessed image: Width·Height·Channels, HWC.</summary>
    public int Length => Width * Height * Channels;

    /// <summary>The crop window this spec takes from a <paramref name="sourceWidth"/> x
    /// <paramref name="sourceHeight"/> frame (before any augmentation).</summary>
    public CropWindow WindowFor(int sourceWidth, int sourceHeight) => Crop == CropMode.CentreCrop
        ? CropWindow.Centre(sourceWidth, sourceHeight, Width, Height)
        : CropWindow.Full(sourceWidth, sourceHeight);

    private static readonly string[] ColorNames = ["gray", "rgb"];
    private static readonly string[] ResizeNames = ["area", "bilinear", "nearest"];
    private static readonly string[] CropNames = ["centre-crop", "squash"];

    /// <summary>The stable text form: <c>"{W}x{H} {gray|rgb} {area|bilinear|nearest} {centre-crop|squash}"</c>.</summary>
    public override string ToString() =>
        $"{Width}x{Height} {ColorNames[(int)Color]} {ResizeNames[(int)Resize]} {CropNames[(int)Crop]}";

    /// <summary>Reads the text form written by <see cref="ToString"/> (case-insensitive, any
    /// whitespace between the four fields).</summary>
    public static PreprocessSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var spec, out string? error)) return spec;
        throw new FormatException($"preprocessing '{text}': {error}; expected e.g. \"96x96 rgb area centre-crop\"");
    }

    public static bool TryParse(string text, out PreprocessSpec spec) => TryParse(text, out spec, out _);

    private static bool TryParse(string text, out PreprocessSpec spec, out string? error)
    {
        spec = null!;
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4) { error = $"need 4 fields (size, colour, resize, crop), got {parts.Length}"; return false; }
        var size = parts[0].Split('x');
        if (size.Length != 2
            || !int.TryParse(size[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(size[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int h))
        { error = $"size '{parts[0]}' is not WIDTHxHEIGHT"; return false; }
        if (w < 1 || w > MaxSide || h < 1 || h > MaxSide) { error = $"size {w}x{h} is outside 1..{MaxSide}"; return false; }
        int color = Find(ColorNames, parts[1]), resize = Find(ResizeNames, parts[2]), crop = Find(CropNames, parts[3]);
        if (color < 0) { error = $"colour '{parts[1]}' is not one of {string.Join('|', ColorNames)}"; return false; }
        if (resize < 0) { error = $"resize '{parts[2]}' is not one of {string.Join('|', ResizeNames)}"; return false; }
        if (crop < 0) { error = $"crop '{parts[3]}' is not one of {string.Join('|', CropNames)}"; return false; }
        spec = new PreprocessSpec(w, h, (ColorMode)color, (ResizeMethod)resize, (CropMode)crop);
        error = null;
        return true;
    }

    private static int Find(string[] names, string s)
    {
        for (int i = 0; i < names.Length; i++)
            if (string.Equals(names[i], s, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
