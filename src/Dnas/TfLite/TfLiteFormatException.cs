namespace Dnas.TfLite;

/// <summary>A .tflite file (or a model about to be written) that breaks the format or the
/// int8 spec. The message says what is wrong and, for a file, at which byte offset.</summary>
public sealed class TfLiteFormatException : Exception
{
    /// <summary>Byte offset in the file where the problem was found; -1 when the problem is in a
    /// model being written rather than in bytes being read.</summary>
    public long Offset { get; }

    public TfLiteFormatException(string message, long offset = -1)
        : base(offset >= 0 ? $"{message} (at byte offset {offset})" : message) => Offset = offset;
}
