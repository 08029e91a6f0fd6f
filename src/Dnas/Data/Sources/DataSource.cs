using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dnas.Config;
using Dnas.Data.Images;

namespace Dnas.Data.Sources;

/// <summary>The three parts of a data set.</summary>
public enum Split : byte
{
    Train = 0,
    Val = 1,
    Test = 2,
}

/// <summary>What a source says about an item's split.</summary>
public enum GivenSplit : byte
{
    /// <summary>Nothing: the item goes to train, val or test by the configured fractions.</summary>
    None,
    Train,
    Val,
    Test,
    /// <summary>Train or val (e.g. the IDX train files, whose test set is separate): split
    /// between the two in proportion to their configured fractions.</summary>
    TrainOrVal,
}

/// <summary>Why an item was skipped.</summary>
public enum BadReason
{
    /// <summary>The data is an image format we know, but broken (truncated, corrupt).</summary>
    CorruptImage,
    /// <summary>Not an image format we read (by content, or by a file extension we do not take).</summary>
    UnknownFormat,
    /// <summary>The file exists but cannot be read.</summary>
    Unreadable,
    /// <summary>A listed file (CSV row) that does not exist.</summary>
    MissingFile,
    /// <summary>A label that is not in the class list.</summary>
    LabelOutsideClasses,
    /// <summary>A TFRecord record with a wrong CRC, cut short, or not a tf.train.Example with the needed features.</summary>
    BadRecord,
    /// <summary>A CSV row that lacks fields or holds unusable values.</summary>
    BadRow,
    /// <summary>A raw file whose length does not match the configured image size.</summary>
    WrongSize,
}

/// <summary>A skipped item: what it was, where, and why. <see cref="Line"/> is the CSV line
/// (1-based) when the item came from a CSV row, else 0.</summary>
public sealed record BadItem(string Id, string SourceFile, BadReason Reason, string Detail, int Line = 0)
{
    public static string ReasonText(BadReason reason) => reason switch
    {
        BadReason.CorruptImage => "corrupt image",
        BadReason.UnknownFormat => "unknown format",
        BadReason.Unreadable => "unreadable file",
        BadReason.MissingFile => "missing file",
        BadReason.LabelOutsideClasses => "label outside the class list",
        BadReason.BadRecord => "bad record",
        BadReason.BadRow => "bad row",
        BadReason.WrongSize => "wrong size",
        _ => reason.ToString(),
    };

    /// <summary>The warning that names this item.</summary>
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Warning(DiagnosticCodes.BadItem, $"skipped ({ReasonText(Reason)}): {Detail}", SourceFile, Line);

    /// <summary>Classifies an exception raised while reading or decoding an item (named by its
    /// source file, without a CSV line: the problem is in the file).</summary>
    public static BadItem FromException(SourceItem item, Exception e) => e switch
    {
        ImageDecodeException { Format: ImageFormat.Unknown } d => new(item.Id, item.SourceFile, BadReason.UnknownFormat, d.Problem),
        ImageDecodeException d => new(item.Id, item.SourceFile, BadReason.CorruptImage, $"{ImageDecodeException.FormatName(d.Format)}: {d.Problem}"),
        BadItemException b => new(item.Id, item.SourceFile, b.Reason, b.Message),
        FileNotFoundException or DirectoryNotFoundException => new(item.Id, item.SourceFile, BadReason.MissingFile, "the file does not exist"),
        _ => new(item.Id, item.SourceFile, BadReason.Unreadable, e.Message),
    };
}

/// <summary>Thrown by <see cref="SourceItem.Decode"/> for an item that is bad for a reason other
/// than its image data (e.g. a raw file of the wrong length).</summary>
public sealed class BadItemException(BadReason reason, string message) : IOException(message)
{
    public BadReason Reason { get; } = reason;
}

/// <summary>One image of a source: an id, a label, perhaps a split, and a way to read its bytes
/// and decode them.</summary>
public abstract class SourceItem
{
    protected SourceItem(string id, string sourceFile, int label, GivenSplit split, int line = 0)
    {
        Id = id;
        SourceFile = sourceFile;
        Label = label;
        Split = split;
        Line = line;
    }

    /// <summary>Stable, unique within the source (a relative path, a CSV file name, shard#record),
    /// independent of where the data set lies: items are ordered and split by it.</summary>
    public string Id { get; }

    /// <summary>Where the bytes are (a path, or path#record), for messages and the index.</summary>
    public string SourceFile { get; }

    /// <summary>Index into the class list.</summary>
    public int Label { get; }

    public GivenSplit Split { get; }

    /// <summary>The CSV line that named the item, or 0.</summary>
    public int Line { get; }

    /// <summary>The stored bytes: an encoded image or raw pixels. I/O problems throw IOException.</summary>
    public abstract byte[] ReadBytes();

    /// <summary>Decodes what <see cref="ReadBytes"/> returned. <paramref name="minSide"/> is the
    /// JPEG size hint of <see cref="ImageDecoder.Decode"/>. Bad data throws
    /// <see cref="ImageDecodeException"/> or <see cref="BadItemException"/>.</summary>
    public virtual RgbImage Decode(byte[] data, int minSide) => ImageDecoder.Decode(data, SourceFile, minSide);

    /// <summary>Reads and decodes.</summary>
    public RgbImage Load(int minSide = 0) => Decode(ReadBytes(), minSide);

    public override string ToString() => $"{Id} (label {Label})";
}

/// <summary>An image file.</summary>
public sealed class FileItem(string id, string path, int label, GivenSplit split = GivenSplit.None, int line = 0)
    : SourceItem(id, path, label, split, line)
{
    public override byte[] ReadBytes() => File.ReadAllBytes(SourceFile);
}

/// <summary>What a scan of a source found: the class names (label order), the usable items, and
/// the items already known to be bad (unreadable rows, records, labels...).</summary>
public sealed class SourceScan
{
    public SourceScan(IReadOnlyList<string> classes, IReadOnlyList<SourceItem> items, IReadOnlyList<BadItem> bad)
    {
        Classes = classes;
        Items = items;
        Bad = bad;
    }

    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<SourceItem> Items { get; }
    public IReadOnlyList<BadItem> Bad { get; }
}

/// <summary>A data set format. <see cref="AddFingerprint"/> is cheap (names, sizes, times of the
/// files: no decoding) and decides whether a prepared store is still valid; <see cref="Scan"/>
/// lists the items for a build.</summary>
public interface IDataSource
{
    /// <summary>e.g. <c>imagefolder /data/vww</c>.</summary>
    string Description { get; }

    /// <summary>Adds everything the items depend on: settings, and every file's path, size and
    /// modification time. A source that cannot be read at all throws <see cref="DataException"/>.</summary>
    void AddFingerprint(Fingerprint fingerprint);

    /// <summary>Lists classes and items; problems with single items are returned as bad items,
    /// a source that cannot be read at all throws <see cref="DataException"/>.</summary>
    SourceScan Scan(CancellationToken cancel = default);
}

/// <summary>The data cannot be used: the source is unreadable, too many items are bad, or a
/// class is empty. The diagnostics say which and where.</summary>
public sealed class DataException : DiagnosticException
{
    public DataException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null) : base(diagnostics, inner) { }
    public DataException(Diagnostic diagnostic, Exception? inner = null) : base(diagnostic, inner) { }

    public static DataException Unreadable(string file, string message, Exception? inner = null, int line = 0, int column = 0) =>
        new(Diagnostic.Error(DiagnosticCodes.SourceUnreadable, message, file, line, column), inner);
}

/// <summary>A SHA-256 over lines of text: the identity of a store's inputs.</summary>
public sealed class Fingerprint : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds <c>key=value</c> (newlines in the value escaped).</summary>
    public void Add(string key, string value)
    {
        var line = key + "=" + value.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r") + "\n";
        _hash.AppendData(Encoding.UTF8.GetBytes(line));
    }

    public void Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    public void Add(string key, double value) => Add(key, value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Adds a file's full path, length and last write time (UTC ticks), or that it is missing.</summary>
    public void AddFile(string path)
    {
        var info = new FileInfo(path);
        Add("file", info.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{info.FullName}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}")
            : info.FullName + "\tmissing");
    }

    /// <summary>The hash so far, lower-case hex (the builder can go on).</summary>
    public string Current()
    {
        var copy = _hash.GetCurrentHash();
        return Convert.ToHexStringLower(copy);
    }

    public void Dispose() => _hash.Dispose();
}
