using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Dnas.Data;

/// <summary>Thrown when a file is not a readable IDX file (MNIST / Fashion-MNIST format) or an
/// images/labels pair does not fit together. The message names the file, says what is wrong
/// and what to do about it.</summary>
public sealed class IdxFormatException : IOException
{
    public string Path { get; }

    public IdxFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }
}

/// <summary>One IDX file: dimensions (outermost first) and the unsigned-byte payload in row-major order.
/// Format (big-endian): bytes 0,0, a type code, the number of dimensions; then one int32 per
/// dimension; then the data. The file may be gzip-compressed (detected by the 0x1f 0x8b magic,
/// not by the file name).</summary>
public sealed class IdxFile
{
    /// <summary>Type code of unsigned bytes, the only element type supported.</summary>
    public const byte UnsignedByte = 0x08;

    private const int MaxDims = 8;

    public string Path { get; }
    public int[] Dims { get; }
    public byte[] Data { get; }
    public bool WasGzipped { get; }

    private IdxFile(string path, int[] dims, byte[] data, bool gzipped)
    {
        Path = path; Dims = dims; Data = data; WasGzipped = gzipped;
    }

    /// <summary>Number of elements: the product of the dimensions.</summary>
    public long Count => Data.LongLength;

    /// <summary>Reads an IDX file, gzip-compressed or plain.</summary>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: IDX file not found; check the path (MNIST-style files are named like train-images-idx3-ubyte.gz)", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> probe = stackalloc byte[2];
        int got = ReadFully(file, probe, path, compressed: false);
        file.Position = 0;
        bool gzip = got == 2 && probe[0] == 0x1f && probe[1] == 0x8b;
        if (!gzip) return ReadFrom(file, path, gzipped: false);
        using var unzip = new GZipStream(file, CompressionMode.Decompress);
        return ReadFrom(unzip, path, gzipped: true);
    }

    private static IdxFile ReadFrom(Stream s, string path, bool gzipped)
    {
        string what = gzipped ? "after decompression, the file" : "the file";
        Span<byte> header = stackalloc byte[4];
        int got = ReadFully(s, header, path, gzipped);
        if (got < 4)
            throw new IdxFormatException(path, $"{what} is only {got} bytes long, shorter than the 4-byte IDX magic; the file is empty or truncated: download it again");
        if (header[0] != 0 || header[1] != 0 || header[3] == 0 || header[3] > MaxDims)
            throw new IdxFormatException(path,
                $"bad IDX magic {header[0]:x2} {header[1]:x2} {header[2]:x2} {header[3]:x2} (expected 00 00, a type code, then 1..{MaxDims} dimensions); " +
                "this is not an IDX file (or not the right file): pass an MNIST-style file such as train-images-idx3-ubyte(.gz)");
        byte type = header[2];
        if (type != UnsignedByte)
            throw new IdxFormatException(path,
                $"IDX element type 0x{type:x2} ({TypeName(type)}) is not supported; only 0x08 (unsigned byte) is, as in MNIST and Fashion-MNIST: convert the data to unsigned bytes");
        int ndims = header[3];
        var dimBytes = new byte[4 * ndims];
        got = ReadFully(s, dimBytes, path, gzipped);
        if (got < dimBytes.Length)
            throw new IdxFormatException(path, $"truncated header: {ndims} dimensions announced but {what} ends after {4 + got} bytes; download it again");
        var dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (d < 0)
                throw new IdxFormatException(path, $"dimension {i} is negative ({d}); the header is corrupt: download the file again");
            dims[i] = d;
            count *= d;
            if (count > Array.MaxLength)
                throw new IdxFormatException(path, $"dimensions {FormatDims(dims.AsSpan(0, i + 1))} describe more than {Array.MaxLength} bytes, more than one array can hold; the header is corrupt or the file is too large");
        }
        var data = new byte[count];
        got = ReadFully(s, data, path, gzipped);
        if (got < count)
            throw new IdxFormatException(path,
                $"truncated: dimensions {FormatDims(dims)} need {count} bytes of data but {what} holds only {got}; the download was cut short: download it again");
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(s, extra, path, gzipped) != 0)
            throw new IdxFormatException(path,
                $"{what} has more data than dimensions {FormatDims(dims)} describe ({count} bytes); the header does not match the data: check this is an unmodified IDX file");
        return new IdxFile(path, dims, data, gzipped);
    }

    private static int ReadFully(Stream s, Span<byte> buffer, string path, bool compressed)
    {
        try
        {
            return s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e) when (compressed)
        {
            throw new IdxFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message}); download the file again", e);
        }
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };

    internal static string FormatDims(ReadOnlySpan<int> dims)
    {
        var parts = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++) parts[i] = dims[i].ToString(CultureInfo.InvariantCulture);
        return "[" + string.Join(",", parts) + "]";
    }
}

/// <summary>An images + labels pair of IDX files (MNIST / Fashion-MNIST): images as unsigned
/// bytes [N,H,W] in row-major order, one label byte per image.</summary>
public sealed class IdxDataset
{
    public string ImagesPath { get; }
    public string LabelsPath { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Pixels, [N,H,W] row-major.</summary>
    public byte[] Images { get; }
    public byte[] Labels { get; }

    public IdxDataset(string imagesPath, string labelsPath, int count, int height, int width, byte[] images, byte[] labels)
    {
        if (images.LongLength != (long)count * height * width)
            throw new ArgumentException($"images: expected {count}x{height}x{width} bytes, got {images.LongLength}", nameof(images));
        if (labels.Length != count)
            throw new ArgumentException($"labels: expected {count} labels, got {labels.Length}", nameof(labels));
        ImagesPath = imagesPath; LabelsPath = labelsPath;
        Count = count; Height = height; Width = width;
        Images = images; Labels = labels;
    }

    /// <summary>Pixels of image <paramref name="index"/>, H*W bytes.</summary>
    public ReadOnlySpan<byte> Image(int index) => Images.AsSpan(index * Height * Width, Height * Width);

    /// <summary>Number of classes, taken as the largest label plus one.</summary>
    public int Classes
    {
        get
        {
            int max = -1;
            foreach (var l in Labels) max = Math.Max(max, l);
            return max + 1;
        }
    }

    /// <summary>Loads an images file ([N,H,W] unsigned bytes) and its labels file ([N] unsigned bytes).</summary>
    public static IdxDataset Load(string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        if (images.Dims.Length != 3)
            throw new IdxFormatException(imagesPath,
                $"an images file must have 3 dimensions [N,H,W], this one has {images.Dims.Length}: {IdxFile.FormatDims(images.Dims)}; " +
                "did you pass the labels file as the images file? (images files are named *-images-idx3-ubyte*)");
        var labels = IdxFile.Read(labelsPath);
        if (labels.Dims.Length != 1)
            throw new IdxFormatException(labelsPath,
                $"a labels file must have 1 dimension [N], this one has {labels.Dims.Length}: {IdxFile.FormatDims(labels.Dims)}; " +
                "did you pass the images file as the labels file? (labels files are named *-labels-idx1-ubyte*)");
        int n = images.Dims[0];
        if (labels.Dims[0] != n)
            throw new IdxFormatException(labelsPath,
                $"holds {labels.Dims[0]} labels but {imagesPath} holds {n} images; the counts must match: " +
                "pair the images and labels files of the same split (train with train, t10k with t10k)");
        return new IdxDataset(imagesPath, labelsPath, n, images.Dims[1], images.Dims[2], images.Data, labels.Data);
    }

    /// <summary>Loads the standard pair named <paramref name="prefix"/>-images-idx3-ubyte and
    /// <paramref name="prefix"/>-labels-idx1-ubyte in <paramref name="directory"/>, with or
    /// without a .gz suffix (prefix "train" or "t10k" for MNIST and Fashion-MNIST).</summary>
    public static IdxDataset LoadSplit(string directory, string prefix)
    {
        string Find(string stem)
        {
            var plain = System.IO.Path.Combine(directory, stem);
            if (File.Exists(plain + ".gz")) return plain + ".gz";
            if (File.Exists(plain)) return plain;
            throw new FileNotFoundException($"{directory}: neither {stem}.gz nor {stem} is there; point to the folder holding the IDX files", plain + ".gz");
        }
        return Load(Find(prefix + "-images-idx3-ubyte"), Find(prefix + "-labels-idx1-ubyte"));
    }
}
