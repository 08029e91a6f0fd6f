using Dnas.Data.Images;
using Xunit;

namespace Dnas.Tests.TfLite;

/// <summary>The ../shared/data/vww96 images (96x96 RGB PNG, folders no_person / person), decoded once,
/// and their model inputs: real = pixel / 255, quantized with the input's scale and zero point
/// (round to nearest, ties away from zero).</summary>
internal static class Vww96Images
{
    public sealed record Image(string Path, int Label, byte[] Rgb);

    private static readonly Lazy<IReadOnlyList<Image>> All = new(Load);

    public static IReadOnlyList<Image> Get() => All.Value;

    private static List<Image> Load()
    {
        string root = TfLiteTestModels.SharedData("vww96");
        var images = new List<Image>();
        string[] classes = ["no_person", "person"];
        for (int label = 0; label < classes.Length; label++)
            foreach (var file in Directory.GetFiles(Path.Combine(root, classes[label])).Order(StringComparer.Ordinal))
            {
                var image = ImageDecoder.DecodeFile(file);
                Assert.True(image.Width == 96 && image.Height == 96, $"{file} is {image.Width}x{image.Height}, expected 96x96");
                images.Add(new Image(file, label, image.Pixels));
            }
        Assert.True(images.Count > 600, $"only {images.Count} images in {root}");
        return images;
    }

    public static sbyte[] QuantizedInput(Image image, float scale, long zeroPoint) =>
        image.Rgb.Select(p => (sbyte)Math.Clamp(Math.Round(p / 255.0 / scale, MidpointRounding.AwayFromZero) + zeroPoint, -128, 127)).ToArray();

    public static float[] FloatInput(Image image) => image.Rgb.Select(p => p / 255f).ToArray();

    public static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
