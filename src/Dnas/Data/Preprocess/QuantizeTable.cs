using System.Globalization;
using System.Text;

namespace Dnas.Data.Preprocess;

/// <summary>uint8 pixel → int8 model input, as a 256-entry table per channel. <b>The table is
/// the definition</b>: it is computed once, in double precision, from the model's input
/// (scale, zero point) and the optional <see cref="Normalization"/>, and the generated firmware
/// receives the very same table (<see cref="ToC"/>), so the per-pixel work on the device is a
/// table lookup. Entry v is
/// <code>
/// x    = (v / 255.0 − mean) / std / scale        (double; without normalisation x = v / 255.0 / scale)
/// q[v] = clamp(round(x) + zeroPoint, −128, 127)  (round half away from zero, as TFLite does)
/// </code></summary>
public sealed class QuantizeTable
{
    private readonly sbyte[] _table;

    public double Scale { get; }
    public int ZeroPoint { get; }
    /// <summary>1 (one table for every channel) or the number of channels.</summary>
    public int Channels { get; }

    public QuantizeTable(double scale, int zeroPoint, Normalization? normalization = null)
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"quantization scale must be positive and finite, got {scale}");
        if (zeroPoint < -128 || zeroPoint > 127) throw new ArgumentOutOfRangeException(nameof(zeroPoint), $"int8 zero point must be -128..127, got {zeroPoint}");
        Scale = scale;
        ZeroPoint = zeroPoint;
        Channels = normalization?.Channels ?? 1;
        _table = new sbyte[Channels * 256];
        for (int c = 0; c < Channels; c++)
        {
            double mean = normalization?.Mean(c) ?? 0, std = normalization?.Std(c) ?? 1;
            for (int v = 0; v < 256; v++) _table[c * 256 + v] = Entry(v, scale, zeroPoint, mean, std);
        }
    }

    /// <summary>The defining formula for one entry.</summary>
    public static sbyte Entry(int v, double scale, int zeroPoint, double mean = 0, double std = 1)
    {
        double x = (v / 255.0 - mean) / std / scale;
        double q = Math.Round(x, MidpointRounding.AwayFromZero) + zeroPoint;
        return (sbyte)Math.Clamp(q, -128, 127);
    }

    /// <summary>The 256 entries of <paramref name="channel"/> (of channel 0 when there is one table).</summary>
    public ReadOnlySpan<sbyte> Table(int channel = 0) => _table.AsSpan(Channels == 1 ? 0 : channel * 256, 256);

    /// <summary>The real value an int8 input stands for: (q − zeroPoint)·scale.</summary>
    public double Dequantize(sbyte q) => (q - ZeroPoint) * Scale;

    /// <summary>Quantizes HWC pixels: dst[i] = table[channel of i][src[i]].</summary>
    public void Apply(ReadOnlySpan<byte> pixels, Span<sbyte> destination, int channels)
    {
        if (destination.Length < pixels.Length) throw new ArgumentException($"output holds {destination.Length} values, need {pixels.Length}", nameof(destination));
        if (Channels != 1 && Channels != channels) throw new ArgumentException($"the table has {Channels} channels, the image {channels}", nameof(channels));
        if (Channels == 1)
        {
            var t = _table.AsSpan(0, 256);
            for (int i = 0; i < pixels.Length; i++) destination[i] = t[pixels[i]];
        }
        else
        {
            for (int i = 0; i < pixels.Length; i++) destination[i] = _table[(i % channels) * 256 + pixels[i]];
        }
    }

    /// <summary>The table as a C definition, e.g. <c>const int8_t name[256] = {…};</c>
    /// (<c>[C][256]</c> with per-channel tables).</summary>
    public string ToC(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"/* uint8 pixel -> int8 input: clamp(round((v/255.0 - mean)/std/scale) + zp, -128, 127), scale {Scale:R}, zero point {ZeroPoint} */\n");
        sb.Append(CultureInfo.InvariantCulture, $"const int8_t {name}");
        if (Channels > 1) sb.Append(CultureInfo.InvariantCulture, $"[{Channels}]");
        sb.Append("[256] = {\n");
        for (int c = 0; c < Channels; c++)
        {
            if (Channels > 1) sb.Append("  {\n");
            for (int v = 0; v < 256; v += 16)
            {
                sb.Append(Channels > 1 ? "    " : "  ");
                for (int k = v; k < v + 16; k++)
                {
                    sb.Append(_table[c * 256 + k].ToString(CultureInfo.InvariantCulture));
                    if (k < 255) sb.Append(", ");
                }
                sb.Append('\n');
            }
            if (Channels > 1) sb.Append(c < Channels - 1 ? "  },\n" : "  }\n");
        }
        sb.Append("};\n");
        return sb.ToString();
    }
}
