using Dnas.Int8;
using Dnas.Tests.Int8;
using Dnas.Tests.TfLite;
using Dnas.TfLite;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.LiteRt;

/// <summary>Our interpreter against LiteRT.js (XNNPACK on WASM), a real TFLite runtime: optimized
/// kernels may differ from the reference by a few LSB; argmax must agree.</summary>
[Trait("Category", "LiteRt")]
public sealed class LiteRtAgreementTests(ITestOutputHelper output)
{
    internal sealed record Agreement(int Count, int SameArgmax, int MaxDiff, int Within2, int[] Histogram);

    internal static Agreement Compare(IReadOnlyList<sbyte[]> ours, IReadOnlyList<sbyte[]> theirs)
    {
        int same = 0, max = 0, within2 = 0;
        var histogram = new int[256];
        for (int i = 0; i < ours.Count; i++)
        {
            same += Vww96Images.ArgMax<sbyte>(ours[i]) == Vww96Images.ArgMax<sbyte>(theirs[i]) ? 1 : 0;
            int diff = ours[i].Zip(theirs[i], (a, b) => Math.Abs(a - b)).Max();
            histogram[diff]++;
            max = Math.Max(max, diff);
            within2 += diff <= 2 ? 1 : 0;
        }
        return new Agreement(ours.Count, same, max, within2, histogram);
    }

    private void Report(string what, Agreement a) =>
        output.WriteLine($"{what}: {a.Count} inputs, argmax equal {a.SameArgmax} ({(double)a.SameArgmax / a.Count:P2}), " +
                         $"max |diff| {a.MaxDiff} LSB, within 2 LSB {a.Within2} ({(double)a.Within2 / a.Count:P2}); " +
                         $"|diff| histogram {string.Join(" ", a.Histogram.Select((c, d) => (c, d)).Where(x => x.c > 0).Select(x => $"{x.d}:{x.c}"))}");

    [Fact]
    [Trait("Category", "SharedAssets")]
    public void Vww96Int8AgreesWithLiteRt()
    {
        var images = Vww96Images.Get();
        var bytes = File.ReadAllBytes(TfLiteTestModels.SharedModel("vww_96_int8.tflite"));
        var interpreter = new Int8Interpreter(TfLiteReader.Read(bytes));
        var q = interpreter.InputTensor().Quantization!;
        var inputs = images.Select(i => Vww96Images.QuantizedInput(i, q.Scale[0], q.ZeroPoint[0])).ToList();
        var ours = inputs.Select(i => interpreter.Run(i)).ToList();
        var theirs = LiteRtRunner.RunInt8(bytes, inputs);
        var a = Compare(ours, theirs);
        Report("vww_96_int8 on vww96", a);
        int oursCorrect = images.Where((im, i) => Vww96Images.ArgMax<sbyte>(ours[i]) == im.Label).Count();
        int theirsCorrect = images.Where((im, i) => Vww96Images.ArgMax<sbyte>(theirs[i]) == im.Label).Count();
        output.WriteLine($"accuracy on vww96: ours {(double)oursCorrect / images.Count:P2}, LiteRT {(double)theirsCorrect / images.Count:P2}");
        Assert.True(a.SameArgmax >= 0.995 * a.Count, $"argmax equal on only {a.SameArgmax} of {a.Count}");
        // End to end the outputs are NOT all within 2 LSB (measured: max 13, 85% within 2): XNNPACK
        // requantizes in float and differs from the reference kernels by up to 1 LSB per layer
        // (LiteRtIsolationTests asserts that bound op by op), 27 layers compound it, and the final
        // softmax amplifies logit differences. person_detect shows the same (README: 3 LSB), while
        // our outputs there equal TFLite Micro's exactly. So the 2-LSB bar is held per operator.
    }

    [Fact]
    [Trait("Category", "SharedAssets")]
    public void PersonDetectLoadsInLiteRtOnceItsBiasDimensionIsFixed()
    {
        var bytes = File.ReadAllBytes(TfLiteTestModels.SharedModel("person_detect.tflite"));
        var inputs = new[] { Int8SharedModelTests.PersonInput("person.bmp"), Int8SharedModelTests.PersonInput("no_person.bmp") };
        var (code, error, _) = LiteRtRunner.TryRun(bytes, inputs.Select(i => (byte[])(Array)i).ToList());
        Assert.True(code != 0, "LiteRT was expected to reject the original person_detect.tflite (depthwise bias quantized_dimension 3)");
        output.WriteLine($"original rejected: {error.Split('\n').FirstOrDefault(l => l.Contains("run.mjs: error")) ?? ""}");

        var model = TfLiteReader.Read(bytes);
        TfLiteFixes.FixBiasQuantizedDimension(model);
        var rewritten = TfLiteWriter.Write(model);
        var rewrittenInterpreter = new Int8Interpreter(TfLiteReader.Read(rewritten));
        var ours = inputs.Select(i => rewrittenInterpreter.Run(i)).ToList();
        var theirs = LiteRtRunner.RunInt8(rewritten, inputs);
        var a = Compare(ours, theirs);
        Report("person_detect (rewritten) person.bmp/no_person.bmp", a);
        output.WriteLine($"ours {string.Join(" ", ours.Select(o => $"[{string.Join(",", o)}]"))}, LiteRT {string.Join(" ", theirs.Select(o => $"[{string.Join(",", o)}]"))}");
        Assert.Equal([-113, 113], ours[0].Select(v => (int)v));
        Assert.Equal([57, -57], ours[1].Select(v => (int)v));
        Assert.Equal(a.Count, a.SameArgmax);
        // ../shared/models/README.md: LiteRT (XNNPACK) gives [60, -60] on no_person.bmp, 3 LSB from the
        // reference kernels; our rewrite must reproduce exactly that runtime's behaviour.
        Assert.Equal([60, -60], theirs[1].Select(v => (int)v));
    }

    [Fact]
    public void ModelBuiltInCodeLoadsAndAgrees()
    {
        var rng = new Random(2024);
        var failures = new List<string>();
        var all = new List<(sbyte[] Ours, sbyte[] Theirs)>();
        foreach (var (seed, size, channels) in new[] { (21, 16, 3), (22, 12, 1), (23, 20, 3) })
        {
            var model = TfLiteTestModels.SmallInt8Net(seed, size: size, channels: channels, width: 16, classes: 5);
            var bytes = TfLiteWriter.Write(model);
            var interpreter = new Int8Interpreter(TfLiteReader.Read(bytes));
            var inputs = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, size * size * channels).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray()).ToList();
            var ours = inputs.Select(i => interpreter.Run(i)).ToList();
            var theirs = LiteRtRunner.RunInt8(bytes, inputs);
            all.AddRange(ours.Zip(theirs));
        }
        var a = Compare(all.Select(p => p.Ours).ToList(), all.Select(p => p.Theirs).ToList());
        Report("models built in code (conv/dw/add/mean/fc/softmax), end to end", a);
        // As for vww_96_int8, the per-operator bound (<= 1 LSB, LiteRtIsolationTests) is what holds;
        // end to end the softmax of random-weight nets amplifies it (near-ties can flip the argmax).
        Assert.True(a.SameArgmax >= 0.98 * a.Count, $"argmax equal on only {a.SameArgmax} of {a.Count}");
    }
}

/// <summary>Where our interpreter and LiteRT part: each operator of vww_96_int8 alone, fed the
/// activations our interpreter computes for real images, and the network up to the logits.</summary>
[Trait("Category", "LiteRt")]
public sealed class LiteRtIsolationTests(ITestOutputHelper output)
{
    /// <summary>Runs every single-input operator of <paramref name="model"/> alone in both runtimes,
    /// fed our interpreter's activations for <paramref name="inputs"/>; returns the worst |diff| per op.</summary>
    private List<(int Op, string Name, int MaxDiff)> PerOperator(TfLiteModel model, IReadOnlyList<sbyte[]> inputs)
    {
        var g = model.SubGraph;
        var result = new List<(int, string, int)>();
        for (int o = 0; o < g.Operators.Count; o++)
        {
            var single = SubModels.SingleOp(model, o);
            if (single.SubGraph.Inputs.Count != 1) continue; // ADD: covered end to end
            var prefix = o == 0 ? null : new Int8Interpreter(SubModels.Prefix(model, o));
            var opInputs = inputs.Select(x => prefix == null ? x : prefix.Run(x)).ToList();
            var bytes = TfLiteWriter.Write(single);
            var interpreter = new Int8Interpreter(TfLiteReader.Read(bytes));
            var ours = opInputs.Select(x => interpreter.Run(x)).ToList();
            var a = LiteRtAgreementTests.Compare(ours, LiteRtRunner.RunInt8(bytes, opInputs));
            string name = TfLiteNames.Op(model.CodeOf(g.Operators[o]));
            output.WriteLine($"op {o,2} {name,-18} max |diff| {a.MaxDiff} LSB over {a.Count} inputs");
            result.Add((o, name, a.MaxDiff));
        }
        return result;
    }

    [Fact]
    [Trait("Category", "SharedAssets")]
    public void Vww96EachOperatorAgreesWithin1Lsb()
    {
        var model = TfLiteReader.ReadFile(TfLiteTestModels.SharedModel("vww_96_int8.tflite"));
        var q = model.Tensor(model.SubGraph.Inputs[0]).Quantization!;
        var inputs = Vww96Images.Get().Where((_, i) => i % 35 == 0).Select(i => Vww96Images.QuantizedInput(i, q.Scale[0], q.ZeroPoint[0])).ToList();
        var ops = PerOperator(model, inputs);
        Assert.Equal(model.SubGraph.Operators.Count, ops.Count);
        Assert.All(ops, o => Assert.True(o.MaxDiff <= 1, $"op {o.Op} {o.Name} differs by {o.MaxDiff} LSB"));
    }

    [Fact]
    public void ModelBuiltInCodeEachOperatorAgreesWithin1Lsb()
    {
        var model = TfLiteTestModels.SmallInt8Net(21, size: 16, width: 16, classes: 5);
        var rng = new Random(77);
        var inputs = Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, 16 * 16 * 3).Select(_ => (sbyte)rng.Next(-128, 128)).ToArray()).ToList();
        var ops = PerOperator(model, inputs);
        Assert.Equal(model.SubGraph.Operators.Count - 1, ops.Count); // all but the two-input ADD
        Assert.All(ops, o => Assert.True(o.MaxDiff <= 1, $"op {o.Op} {o.Name} differs by {o.MaxDiff} LSB"));
    }
}
