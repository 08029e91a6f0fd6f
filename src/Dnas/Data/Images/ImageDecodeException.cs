namespace Dnas.Data.Images;

/// <summary>The image formats <see cref="ImageDecoder"/> recognises by their magic bytes.</summary>
public enum ImageFormat
{
    /// <summary>Not recognised: the data does not start with any known magic.</summary>
    Unknown,
    Png,
    Jpeg,
    Bmp,
    /// <summary>Netpbm PBM/PGM/PPM (P1–P6).</summary>
    Pnm,
}

/// <summary>The colour transparent pixels are composited onto (PNG alpha and tRNS).</summary>
public enum ImageBackground
{
    Black,
    White,
}

/// <summary>Thrown when data cannot be decoded as an image. It is the only exception the decoders
/// throw for bad input, whatever is wrong with it. The message names the source (usually the
/// file path), the format and the problem, e.g. <c>cat.png: PNG: truncated IDAT chunk at offset 57</c>
/// or <c>notes.txt: not an image: unknown magic 0x48656C6C6F</c>. Derives from
/// <see cref="IOException"/>, so <c>catch (IOException)</c> also covers unreadable files.</summary>
public sealed class ImageDecodeException : IOException
{
    /// <summary>The name the caller gave the data (the path for <see cref="ImageDecoder.DecodeFile"/>).</summary>
    public string SourceName { get; }

    /// <summary>The format the data claimed to be; <see cref="ImageFormat.Unknown"/> for unrecognised data.</summary>
    public ImageFormat Format { get; }

    /// <summary>What is wrong, without the source and format prefix.</summary>
    public string Problem { get; }

    public ImageDecodeException(string sourceName, ImageFormat format, string problem, Exception? inner = null)
        : base($"{sourceName}: {FormatName(format)}: {problem}", inner)
    {
        SourceName = sourceName;
        Format = format;
        Problem = problem;
    }

    /// <summary>The name used in messages: "PNG", "JPEG", "BMP", "PNM" or "not an image".</summary>
    public static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Png => "PNG",
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Bmp => "BMP",
        ImageFormat.Pnm => "PNM",
        _ => "not an image",
    };
}
