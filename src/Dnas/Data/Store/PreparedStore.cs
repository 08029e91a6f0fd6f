using System.IO.MemoryMappedFiles;
using System.Text.Json;
using Dnas.Data.Images;
using Dnas.Data.Sources;

namespace Dnas.Data.Store;

/// <summary>The index of a prepared store (<c>index.json</c>), in memory.</summary>
public sealed class StoreIndex
{
    public int Version { get; init; } = StoreFormat.Version;
    public required string Fingerprint { get; init; }
    public required string ContentHash { get; init; }
    public required string Source { get; init; }
    public required string Spec { get; init; }
    public required string SplitFractions { get; init; }
    public ulong Seed { get; init; }
    public double MaxBadFraction { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Channels { get; init; } = 3;
    /// <summary>Items the source listed, bad ones included.</summary>
    public int SourceItems { get; init; }
    public required string[] Ids { get; init; }
    public required int[] Labels { get; init; }
    public required Split[] Splits { get; init; }
    public required string[] SourceFiles { get; init; }
    /// <summary>First 16 bytes of the SHA-256 of each item's source bytes, hex.</summary>
    public required string[] Hashes { get; init; }
    public required IReadOnlyList<BadItem> Bad { get; init; }

    public int Count => Ids.Length;
    public long ImageBytes => (long)Width * Height * Channels;

    /// <summary>Stored items per class (rows) and split (columns: train, val, test).</summary>
    public int[,] Counts()
    {
        var c = new int[Classes.Count, 3];
        for (int i = 0; i < Count; i++) c[Labels[i], (int)Splits[i]]++;
        return c;
    }

    internal void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("format", StoreFormat.FormatName);
            w.WriteNumber("version", Version);
            w.WriteString("fingerprint", Fingerprint);
            w.WriteString("content_hash", ContentHash);
            w.WriteString("source", Source);
            w.WriteString("spec", Spec);
            w.WriteString("split_fractions", SplitFractions);
            w.WriteNumber("seed", Seed);
            w.WriteNumber("max_bad_fraction", MaxBadFraction);
            w.WriteStartArray("classes");
            foreach (var c in Classes) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteNumber("width", Width);
            w.WriteNumber("height", Height);
            w.WriteNumber("channels", Channels);
            w.WriteNumber("data_offset", StoreFormat.HeaderSize);
            w.WriteNumber("count", Count);
            w.WriteNumber("source_items", SourceItems);
            w.WriteStartArray("items");
            for (int i = 0; i < Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("id", Ids[i]);
                w.WriteNumber("label", Labels[i]);
                w.WriteString("split", SplitAssigner.Name(Splits[i]));
                w.WriteString("source", SourceFiles[i]);
                w.WriteString("hash", Hashes[i]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("bad");
            foreach (var b in Bad)
            {
                w.WriteStartObject();
                w.WriteString("id", b.Id);
                w.WriteString("source", b.SourceFile);
                w.WriteNumber("line", b.Line);
                w.WriteString("reason", StoreFormat.ReasonName(b.Reason));
                w.WriteString("detail", b.Detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads an index; anything unexpected (another format or version first of all) is a
    /// <see cref="StoreFormatException"/>.</summary>
    public static StoreIndex Read(string path)
    {
        JsonDocument doc;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            doc = JsonDocument.Parse(stream);
        }
        catch (FileNotFoundException e)
        {
            throw new StoreFormatException($"{path} does not exist", e);
        }
        catch (JsonException e)
        {
            throw new StoreFormatException($"{path}: not valid JSON ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreFormatException($"{path}: cannot read: {e.Message}", e);
        }
        using (doc)
        {
            try
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != StoreFormat.FormatName)
                    throw new StoreFormatException($"{path}: not a dnas prepared-store index");
                int version = root.GetProperty("version").GetInt32();
                if (version != StoreFormat.Version)
                    throw new StoreFormatException($"{path}: store format version {version}, this dnas reads version {StoreFormat.Version}");
                var items = root.GetProperty("items");
                int n = items.GetArrayLength();
                if (n != root.GetProperty("count").GetInt32()) throw new StoreFormatException($"{path}: 'count' does not match the items");
                var ids = new string[n];
                var labels = new int[n];
                var splits = new Split[n];
                var sources = new string[n];
                var hashes = new string[n];
                var classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString() ?? "").ToList();
                int k = 0;
                foreach (var item in items.EnumerateArray())
                {
                    ids[k] = item.GetProperty("id").GetString()!;
                    labels[k] = item.GetProperty("label").GetInt32();
                    if (labels[k] < 0 || labels[k] >= classes.Count) throw new StoreFormatException($"{path}: item {k} has label {labels[k]} outside the class list");
                    splits[k] = item.GetProperty("split").GetString() switch
                    {
                        "train" => Split.Train,
                        "val" => Split.Val,
                        "test" => Split.Test,
                        var s => throw new StoreFormatException($"{path}: item {k} has unknown split '{s}'"),
                    };
                    sources[k] = item.GetProperty("source").GetString()!;
                    hashes[k] = item.GetProperty("hash").GetString()!;
                    k++;
                }
                var bad = root.GetProperty("bad").EnumerateArray().Select(b => new BadItem(
                    b.GetProperty("id").GetString()!, b.GetProperty("source").GetString()!,
                    StoreFormat.ParseReason(b.GetProperty("reason").GetString()!), b.GetProperty("detail").GetString()!,
                    b.GetProperty("line").GetInt32())).ToList();
                if (root.GetProperty("data_offset").GetInt32() != StoreFormat.HeaderSize)
                    throw new StoreFormatException($"{path}: unexpected data offset");
                return new StoreIndex
                {
                    Version = version,
                    Fingerprint = root.GetProperty("fingerprint").GetString()!,
                    ContentHash = root.GetProperty("content_hash").GetString()!,
                    Source = root.GetProperty("source").GetString()!,
                    Spec = root.GetProperty("spec").GetString()!,
                    SplitFractions = root.GetProperty("split_fractions").GetString()!,
                    Seed = root.GetProperty("seed").GetUInt64(),
                    MaxBadFraction = root.GetProperty("max_bad_fraction").GetDouble(),
                    Classes = classes,
                    Width = root.GetProperty("width").GetInt32(),
                    Height = root.GetProperty("height").GetInt32(),
                    Channels = root.GetProperty("channels").GetInt32(),
                    SourceItems = root.GetProperty("source_items").GetInt32(),
                    Ids = ids,
                    Labels = labels,
                    Splits = splits,
                    SourceFiles = sources,
                    Hashes = hashes,
                    Bad = bad,
                };
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new StoreFormatException($"{path}: malformed index ({e.Message})", e);
            }
        }
    }
}

/// <summary>A prepared store opened for reading: the index in memory and the images through a
/// read-only memory map of <c>images.bin</c>. <see cref="Image"/> returns a span straight into
/// the map (no copy). Thread-safe for reading; dispose to unmap.</summary>
public sealed unsafe class PreparedStore : IDisposable, Preprocess.IImageSource
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private PreparedStore(string directory, StoreIndex index, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer)
    {
        Directory = directory;
        Index = index;
        _file = file;
        _view = view;
        _base = pointer;
    }

    public string Directory { get; }
    public StoreIndex Index { get; }
    public int Count => Index.Count;
    public int Width => Index.Width;
    public int Height => Index.Height;
    public int Channels => Index.Channels;
    public IReadOnlyList<string> Classes => Index.Classes;
    public IReadOnlyList<int> Labels => Index.Labels;
    public IReadOnlyList<Split> Splits => Index.Splits;

    public static string DataPath(string directory) => Path.Combine(directory, StoreFormat.DataFileName);
    public static string IndexPath(string directory) => Path.Combine(directory, StoreFormat.IndexFileName);

    /// <summary>Opens the store in <paramref name="directory"/>, checking the index, the image
    /// file's header and its length against each other; a store that fails any check (another
    /// format version, a torn or foreign file) throws <see cref="StoreFormatException"/> and is
    /// never read. With <paramref name="expectedFingerprint"/> a store built from other inputs
    /// is rejected too.</summary>
    public static PreparedStore Open(string directory, string? expectedFingerprint = null)
    {
        directory = Path.GetFullPath(directory);
        string indexPath = IndexPath(directory), dataPath = DataPath(directory);
        var index = StoreIndex.Read(indexPath);
        if (expectedFingerprint != null && index.Fingerprint != expectedFingerprint)
            throw new StoreFormatException($"{indexPath}: built from other sources or settings (fingerprint {Short(index.Fingerprint)}, expected {Short(expectedFingerprint)})");
        if (!File.Exists(dataPath)) throw new StoreFormatException($"{dataPath} does not exist");
        var header = StoreFormat.ReadHeader(dataPath);
        if (header.Count != index.Count || header.Width != index.Width || header.Height != index.Height || header.Channels != index.Channels
            || Convert.ToHexStringLower(header.Fingerprint) != index.Fingerprint || Convert.ToHexStringLower(header.ContentHash) != index.ContentHash)
            throw new StoreFormatException($"{dataPath} does not belong to {indexPath} (header and index disagree)");
        long expectedLength = StoreFormat.HeaderSize + index.Count * index.ImageBytes;
        long length = new FileInfo(dataPath).Length;
        if (length != expectedLength)
            throw new StoreFormatException($"{dataPath} is {length} bytes, the index describes {expectedLength}");
        var file = MemoryMappedFile.CreateFromFile(dataPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new PreparedStore(directory, index, file, view, p + view.PointerOffset);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    /// <summary>Image <paramref name="i"/>: Height·Width·3 bytes, HWC RGB.</summary>
    public ReadOnlySpan<byte> Image(int i)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), $"item {i} of {Count}");
        long size = Index.ImageBytes;
        return new ReadOnlySpan<byte>(_base + StoreFormat.HeaderSize + i * size, (int)size);
    }

    public int WidthOf(int i) => Width;
    public int HeightOf(int i) => Height;
    public ReadOnlySpan<byte> PixelsOf(int i) => Image(i);

    /// <summary>A copy of image <paramref name="i"/>.</summary>
    public RgbImage ImageCopy(int i) => new(Width, Height, Image(i).ToArray());

    /// <summary>Indices of the items in <paramref name="split"/>, in store order.</summary>
    public int[] IndicesOf(Split split)
    {
        var list = new List<int>();
        for (int i = 0; i < Count; i++) if (Index.Splits[i] == split) list.Add(i);
        return list.ToArray();
    }

    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
