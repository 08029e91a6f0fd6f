using Dnas.Int8;
using Dnas.Quantize;
using Dnas.Tests.LiteRt;
using Dnas.TfLite;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Quantize;

/// <summary>Our exported int8 models (gray and RGB, several resolutions, residual adds) on
/// LiteRT.js, a real TFLite runtime: it loads each one, and its outputs are within 2 LSB of our
/// interpreter's with the same argmax wherever our top class leads by more than 4 LSB (closer
/// calls may flip within the runtimes' allowed LSB differences).</summary>
[Trait("Category", "LiteRt")]
public sealed class ExportLiteRtTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 40)]
    [InlineData(3, 48)]
    public void LiteRtRunsOurExportedModelsLikeOurInterpreter(int channels, int resolution)
    {
        var (folded, q) = TfLiteExportTests.Quantize(channels, resolution, seed: (ulong)(channels * 100 + resolution));
        var bytes = TfLiteWriter.Write(TfLiteExport.Int8(q, TfLiteExportTests.Data(folded, channels), "litert"));
        var interpreter = new Int8Interpreter(TfLiteReader.Read(bytes));
        var images = QuantizeFixtures.RandomImages(12, resolution, resolution, channels, 5);
        int per = resolution * resolution * channels;
        var inputs = Enumerable.Range(0, 12)
            .Select(i => images.Span.Slice(i * per, per).ToArray().Select(QuantParams.Input.Quantize).ToArray()).ToList();
        var ours = inputs.Select(i => interpreter.Run(i)).ToList();
        var theirs = LiteRtRunner.RunInt8(bytes, inputs);
        int maxDiff = 0, decided = 0;
        for (int i = 0; i < ours.Count; i++)
        {
            maxDiff = Math.Max(maxDiff, ours[i].Zip(theirs[i], (a, b) => Math.Abs(a - b)).Max());
            var sorted = ours[i].Select(v => (int)v).OrderDescending().ToArray();
            if (sorted[0] - sorted[1] <= 4) continue;
            decided++;
            Assert.Equal(Int8Agreement.ArgMax<sbyte>(ours[i]), Int8Agreement.ArgMax<sbyte>(theirs[i]));
        }
        output.WriteLine($"c{channels} r{resolution}: max |ours - LiteRT| {maxDiff} LSB over {ours.Count} images; argmax compared on {decided}");
        Assert.True(maxDiff <= 2, $"LiteRT differs from our interpreter by {maxDiff} LSB");
    }
}
