using Dnas.Engine;
using Dnas.Search;

namespace Dnas.Quantize;

/// <summary>An int8 model that classifies one image at a time: int8 NHWC input in, int8
/// class probabilities out (the exported model run by an interpreter).</summary>
public interface IInt8Classifier
{
    QuantParams Input { get; }
    QuantParams Output { get; }
    /// <summary>Runs one image; <paramref name="output"/> receives the int8 probabilities.</summary>
    void Invoke(ReadOnlySpan<sbyte> input, Span<sbyte> output);
}

/// <summary>int8 vs float on a labelled set: both top-1 accuracies, how often their top-1
/// agree, and the largest and mean absolute difference of the probabilities (the int8 output
/// dequantized).</summary>
public sealed record AgreementResult(int Images, double FloatAccuracy, double Int8Accuracy, double Agreement,
    double MaxProbabilityError, double MeanProbabilityError)
{
    /// <summary>Accuracy lost to quantization, in points (percent).</summary>
    public double DropPoints => (FloatAccuracy - Int8Accuracy) * 100;
}

public static class Int8Agreement
{
    /// <summary>Runs every image of <paramref name="batches"/> (float pixels p/255) through the
    /// folded float graph and through <paramref name="int8"/> (input quantized with its input
    /// parameters, which map p/255 back to p − 128 exactly for our models).</summary>
    public static AgreementResult Measure(FoldedGraph model, IInt8Classifier int8, IEnumerable<LabelledBatch> batches,
        Action<int>? afterBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(int8);
        ArgumentNullException.ThrowIfNull(batches);
        var forward = new FloatForward(model);
        int classes = model.Spec.Classes;
        var output = new sbyte[classes];
        sbyte[] input = [];
        int images = 0, floatCorrect = 0, int8Correct = 0, agree = 0;
        double maxError = 0, sumError = 0;
        foreach (var batch in batches)
        {
            forward.Run(batch.Images);
            var probs = forward.Probabilities.Span;
            int n = batch.Images[0], per = batch.Images.Length / n;
            if (input.Length != per) input = new sbyte[per];
            for (int i = 0; i < n; i++)
            {
                var pixels = batch.Images.Span.Slice(i * per, per);
                for (int k = 0; k < per; k++) input[k] = int8.Input.Quantize(pixels[k]);
                int8.Invoke(input, output);
                var p = probs.Slice(i * classes, classes);
                int f = ArgMax(p), q = ArgMax(output);
                int label = batch.Labels[i];
                floatCorrect += f == label ? 1 : 0;
                int8Correct += q == label ? 1 : 0;
                agree += f == q ? 1 : 0;
                for (int c = 0; c < classes; c++)
                {
                    double e = Math.Abs(int8.Output.Dequantize(output[c]) - p[c]);
                    maxError = Math.Max(maxError, e);
                    sumError += e;
                }
                images++;
            }
            afterBatch?.Invoke(images);
        }
        if (images == 0) throw new ArgumentException("no images to compare int8 and float on", nameof(batches));
        return new AgreementResult(images, (double)floatCorrect / images, (double)int8Correct / images, (double)agree / images,
            maxError, sumError / ((double)images * classes));
    }

    /// <summary>Index of the largest value; the first one on ties.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }

    private static int ArgMax(Span<float> v) => ArgMax((ReadOnlySpan<float>)v);
    private static int ArgMax(sbyte[] v) => ArgMax((ReadOnlySpan<sbyte>)v);
}
