namespace Dnas.TfLite;

/// <summary>Display names of operator codes and types, and element sizes.</summary>
public static class TfLiteNames
{
    public static string Op(int code, string? custom = null) =>
        custom != null ? $"CUSTOM({custom})" : code switch
        {
            0 => "ADD", 1 => "AVERAGE_POOL_2D", 2 => "CONCATENATION", 3 => "CONV_2D", 4 => "DEPTHWISE_CONV_2D",
            6 => "DEQUANTIZE", 9 => "FULLY_CONNECTED", 14 => "LOGISTIC", 17 => "MAX_POOL_2D", 18 => "MUL", 19 => "RELU",
            21 => "RELU6", 22 => "RESHAPE", 25 => "SOFTMAX", 34 => "PAD", 39 => "TRANSPOSE", 40 => "MEAN",
            41 => "SUB", 74 => "SUM", 83 => "PACK", 97 => "HARD_SWISH", 114 => "QUANTIZE",
            _ => $"BUILTIN_{code}",
        };

    public static string Type(TfLiteType type) => Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : $"TYPE_{(int)type}";

    public static int ElementSize(TfLiteType type) => type switch
    {
        TfLiteType.Float32 or TfLiteType.Int32 => 4,
        TfLiteType.Int64 or TfLiteType.Complex64 => 8,
        TfLiteType.Float16 or TfLiteType.Int16 => 2,
        _ => 1,
    };
}
