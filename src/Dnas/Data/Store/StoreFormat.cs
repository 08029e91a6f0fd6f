using System.Buffers.Binary;
using System.Globalization;
using Dnas.Data.Preprocess;
using Dnas.Data.Sources;

namespace Dnas.Data.Store;

/// <summary>A prepared store that cannot be used: missing, from another format version, or not
/// matching its index. The message says what and where; <see cref="StoreBuilder"/> rebuilds.</summary>
public sealed class StoreFormatException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>What a store is built with (besides the source): the stored image size, how images
/// are cut and scaled to it, and how items are split and judged.</summary>
public sealed record StoreSettings
{
    public StoreSettings(int resolution, SplitFractions? split = null, ulong seed = 1, double maxBadFraction = 0.05,
        CropMode crop = CropMode.CentreCrop, ResizeMethod resize = ResizeMethod.Area)
    {
        if (resolution < 1 || resolution > PreprocessSpec.MaxSide)
            throw new ArgumentOutOfRangeException(nameof(resolution), $"store resolution must be 1..{PreprocessSpec.MaxSide}, got {resolution}");
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(maxBadFraction));
        Resolution = resolution;
        Split = split ?? SplitFractions.Default;
        Seed = seed;
        MaxBadFraction = maxBadFraction;
        Crop = crop;
        Resize = resize;
    }

    /// <summary>Side of the stored square RGB images: the largest resolution of the search space.</summary>
    public int Resolution { get; }
    public SplitFractions Split { get; }
    public ulong Seed { get; }
    public double MaxBadFraction { get; }
    public CropMode Crop { get; }
    public ResizeMethod Resize { get; }

    /// <summary>The preprocessing from a source image to a stored one.</summary>
    public PreprocessSpec Spec => new(Resolution, Resolution, ColorMode.Rgb, Resize, Crop);

    internal void AddTo(Fingerprint fp)
    {
        fp.Add("spec", Spec.ToString());
        fp.Add("split", Split.ToString());
        fp.Add("seed", Seed.ToString(CultureInfo.InvariantCulture));
        fp.Add("max_bad_fraction", MaxBadFraction);
    }
}

/// <summary>The on-disk layout of a prepared store: a folder holding
/// <list type="bullet">
/// <item><c>images.bin</c>: a 4096-byte header, then the images, uint8 HWC RGB, each
/// Width·Height·3 bytes, back to back in index order (read through a memory map).
/// Header (little-endian): magic "DNASIMGS" | uint32 format version | uint32 header size (4096) |
/// int64 count | int32 width | int32 height | int32 channels | 32 bytes fingerprint (SHA-256) |
/// 32 bytes content hash (SHA-256 of all image bytes) | zeros.</item>
/// <item><c>index.json</c>: format name and version, the fingerprint and content hash (which
/// must equal the header's), the settings, classes, and per item: id, label, split, source file
/// and a content hash of its source bytes (first 16 bytes of SHA-256, hex); plus the bad items.</item>
/// </list>
/// Both are written under temporary names and renamed into place, the index last, so a store
/// under the final names is always complete.</summary>
public static class StoreFormat
{
    /// <summary>Bumped whenever the layout or the meaning of the stored bytes changes.</summary>
    public const int Version = 1;

    public const string DataFileName = "images.bin";
    public const string IndexFileName = "index.json";
    public const string FormatName = "dnas-prepared-store";
    public const int HeaderSize = 4096;

    private static ReadOnlySpan<byte> Magic => "DNASIMGS"u8;

    internal readonly record struct Header(int Version, long Count, int Width, int Height, int Channels, byte[] Fingerprint, byte[] ContentHash);

    internal static byte[] WriteHeader(Header h)
    {
        var b = new byte[HeaderSize];
        Magic.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)h.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), h.Count);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), h.Width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), h.Height);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(32), h.Channels);
        h.Fingerprint.CopyTo(b.AsSpan(36, 32));
        h.ContentHash.CopyTo(b.AsSpan(68, 32));
        return b;
    }

    internal static Header ReadHeader(string path)
    {
        var b = new byte[100];
        int got;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            got = f.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreFormatException($"{path}: cannot read the image file: {e.Message}", e);
        }
        if (got < b.Length || !b.AsSpan(0, 8).SequenceEqual(Magic))
            throw new StoreFormatException($"{path}: not a dnas image file (bad magic or too short)");
        int version = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        if (version != Version)
            throw new StoreFormatException($"{path}: image file format version {version}, this dnas reads version {Version}");
        if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)) != HeaderSize)
            throw new StoreFormatException($"{path}: unexpected header size");
        return new Header(version, BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)),
            BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(24)), BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(28)),
            BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(32)), b.AsSpan(36, 32).ToArray(), b.AsSpan(68, 32).ToArray());
    }

    public static string ReasonName(BadReason r) => r switch
    {
        BadReason.CorruptImage => "corrupt-image",
        BadReason.UnknownFormat => "unknown-format",
        BadReason.Unreadable => "unreadable",
        BadReason.MissingFile => "missing-file",
        BadReason.LabelOutsideClasses => "label-outside-classes",
        BadReason.BadRecord => "bad-record",
        BadReason.BadRow => "bad-row",
        BadReason.WrongSize => "wrong-size",
        _ => r.ToString(),
    };

    public static BadReason ParseReason(string name)
    {
        foreach (var r in Enum.GetValues<BadReason>())
            if (ReasonName(r) == name) return r;
        throw new StoreFormatException($"unknown bad-item reason '{name}' in the index");
    }
}
