namespace Dnas.Quantize;

/// <summary>Per-tensor int8 quantization of an activation: real = Scale · (q − ZeroPoint).
/// Scale is float32 because that is what the .tflite file stores and what every runtime
/// derives its multipliers from.</summary>
public readonly record struct QuantParams(float Scale, int ZeroPoint)
{
    /// <summary>The model input: uint8 pixel p becomes int8 p − 128 and stands for p/255, the
    /// float input of training (no normalisation: x = p/255).</summary>
    public static QuantParams Input { get; } = new(1f / 255f, -128);

    /// <summary>SOFTMAX output, exactly as TFLite's kernels require: 1/256, −128.</summary>
    public static QuantParams Softmax { get; } = new(1f / 256f, -128);

    /// <summary>Asymmetric int8 parameters covering <paramref name="range"/> (which contains 0):
    /// scale = (max − min)/255, zero point = round(−128 − min/scale) clamped to the int8 range,
    /// so real 0 is exactly representable. A range of width 0 (a tensor that is always 0) gets
    /// scale 1/255 and zero point −128.</summary>
    public static QuantParams FromRange(TensorRange range)
    {
        if (!(range.Min <= 0 && range.Max >= 0)) throw new ArgumentException($"range [{range.Min}, {range.Max}] must contain 0", nameof(range));
        double width = (double)range.Max - range.Min;
        if (!(width > 0)) return new QuantParams(1f / 255f, -128);
        float scale = (float)(width / 255);
        double zp = Math.Round(-128 - range.Min / (double)scale, MidpointRounding.AwayFromZero);
        return new QuantParams(scale, (int)Math.Clamp(zp, -128, 127));
    }

    /// <summary>clamp(round(x/scale) + zp, −128, 127), round half away from zero.</summary>
    public sbyte Quantize(float x)
    {
        double q = Math.Round(x / (double)Scale, MidpointRounding.AwayFromZero) + ZeroPoint;
        return (sbyte)Math.Clamp(q, -128, 127);
    }

    public float Dequantize(sbyte q) => Scale * (q - ZeroPoint);
}
