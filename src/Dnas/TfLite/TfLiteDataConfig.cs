using System.Text;
using System.Text.Json;

namespace Dnas.TfLite;

/// <summary>The input data configuration a model was trained for, recorded in the .tflite as the
/// metadata entry <c>dnas_data_config</c> (a small UTF-8 JSON object) so that firmware generators
/// and <c>dnas inspect</c> can reproduce the preprocessing.</summary>
public sealed record TfLiteDataConfig(int Resolution, string ColourMode, float InputScale, long InputZeroPoint,
    string Preprocessing, IReadOnlyList<string> Labels)
{
    public const string MetadataName = "dnas_data_config";
    public const string DefaultPreprocessing = "centre-crop,area-resize";

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("resolution", Resolution);
            w.WriteString("colour_mode", ColourMode);
            w.WriteNumber("input_scale", InputScale);
            w.WriteNumber("input_zero_point", InputZeroPoint);
            w.WriteString("preprocessing", Preprocessing);
            w.WriteStartArray("labels");
            foreach (var l in Labels) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <exception cref="TfLiteFormatException">The entry is not the expected JSON object.</exception>
    public static TfLiteDataConfig FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            int resolution = root.GetProperty("resolution").GetInt32();
            string colour = root.GetProperty("colour_mode").GetString() ?? "";
            if (resolution <= 0) throw new TfLiteFormatException($"metadata '{MetadataName}': resolution {resolution} is not positive");
            if (colour is not ("gray" or "rgb")) throw new TfLiteFormatException($"metadata '{MetadataName}': colour_mode '{colour}' is neither gray nor rgb");
            return new TfLiteDataConfig(resolution, colour,
                root.GetProperty("input_scale").GetSingle(),
                root.GetProperty("input_zero_point").GetInt64(),
                root.GetProperty("preprocessing").GetString() ?? "",
                root.GetProperty("labels").EnumerateArray().Select(e => e.GetString() ?? "").ToList());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            string text = Encoding.UTF8.GetString(json[..Math.Min(json.Length, 80)]);
            throw new TfLiteFormatException($"metadata '{MetadataName}' is not the expected JSON object ({e.Message}): {text}");
        }
    }

    public bool Equals(TfLiteDataConfig? other) =>
        other is not null && Resolution == other.Resolution && ColourMode == other.ColourMode && InputScale.Equals(other.InputScale)
        && InputZeroPoint == other.InputZeroPoint && Preprocessing == other.Preprocessing && Labels.SequenceEqual(other.Labels);

    public override int GetHashCode() => HashCode.Combine(Resolution, ColourMode, InputScale, InputZeroPoint, Preprocessing, Labels.Count);
}
