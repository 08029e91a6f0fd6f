using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Dnas.Int8;
using Dnas.Quantize;
using Dnas.TfLite;
using Xunit;
using Xunit.Abstractions;

namespace Dnas.Tests.Quantize;

/// <summary>The exported files run by our int8 interpreter: int8 agrees with float on a briefly
/// trained net, the float file computes what the folded graph computes, and the arena the
/// interpreter plans for the file is the arena the hardware model costed.</summary>
public class Int8VerificationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 24)]
    public void Int8AgreesWithFloatOnABrieflyTrainedNet(int channels, int resolution)
    {
        var f = TrainedFixture.Create(channels, resolution, steps: 60);
        var folded = FoldedGraph.Fold(f.Net, resolution, resolution);
        var q = Quantizer.Quantize(folded, Calibration.Collect(folded, f.Train.Take(8).Select(b => b.Images).ToArray(), QuantizeConfig.Default));
        var bytes = TfLiteWriter.Write(TfLiteExport.Int8(q, TfLiteExportTests.Data(folded, channels), "trained"));
        var classifier = new InterpreterClassifier(TfLiteReader.Read(bytes));
        var r = Int8Agreement.Measure(folded, classifier, f.Test);
        output.WriteLine($"c{channels} r{resolution}: float {r.FloatAccuracy:P2}, int8 {r.Int8Accuracy:P2}, agreement {r.Agreement:P2}, max |dp| {r.MaxProbabilityError:0.0000}, mean |dp| {r.MeanProbabilityError:0.0000}");
        Assert.True(r.FloatAccuracy > 0.6, $"the net did not learn anything (float accuracy {r.FloatAccuracy:P1}); the comparison would be meaningless");
        Assert.True(r.Agreement >= 0.97, $"int8/float top-1 agreement {r.Agreement:P2}");
        Assert.True(Math.Abs(r.DropPoints) <= 3, $"accuracy drop {r.DropPoints:0.00} points");
        Assert.True(r.MeanProbabilityError < 0.03, $"mean probability error {r.MeanProbabilityError}");
    }

    [Fact]
    public void TheFloatFileComputesTheFoldedGraph()
    {
        var (folded, _) = TfLiteExportTests.Quantize(3, 32);
        var interpreter = new Int8Interpreter(TfLiteReader.Read(TfLiteWriter.Write(TfLiteExport.Float(folded, TfLiteExportTests.Data(folded, 3), "float"))));
        var x = QuantizeFixtures.RandomImages(1, 32, 32, 3, 77);
        var forward = new FloatForward(folded);
        forward.Run(x);
        x.Span.CopyTo(interpreter.InputFloat());
        interpreter.Invoke();
        var expected = forward.Probabilities.Span.ToArray();
        var actual = interpreter.OutputFloat().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4, $"class {i}: folded {expected[i]}, file {actual[i]}");
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 48)]
    public void TheInterpretersArenaIsTheHardwareModelsArena(int channels, int resolution)
    {
        var (folded, q) = TfLiteExportTests.Quantize(channels, resolution);
        var model = TfLiteReader.Read(TfLiteWriter.Write(TfLiteExport.Int8(q, TfLiteExportTests.Data(folded, channels), "arena")));
        var plan = Int8Interpreter.PlanMemory(model);
        var input = new ModelInput(resolution, resolution, channels);
        var camera = new CameraFrame(resolution, resolution, PixelFormat.Gray8);
        var tflm = ModelCost.Compute(folded.Spec, input, camera, Targets.Nano33Ble, inPlaceAdd: false);
        var search = ModelCost.Compute(folded.Spec, input, camera, Targets.Nano33Ble, inPlaceAdd: true);
        // Tensor for tensor: the file's activations are the graph's, at the planner's offsets.
        foreach (var t in folded.Graph.Tensors)
        {
            Assert.Equal(t.Bytes, model.SubGraph.Tensors[t.Id].Bytes);
            Assert.Equal(tflm.Plan.Offsets[t.Id], plan.Offsets[t.Id]);
        }
        Assert.Equal(tflm.ArenaBytes, plan.ArenaBytes);
        // The search costs the generated C engine, whose residual ADD writes over the projection
        // output; a TFLite runtime (and our interpreter) keeps both, so it needs at least as much.
        Assert.True(search.ArenaBytes <= plan.ArenaBytes);
        output.WriteLine($"c{channels} r{resolution}: interpreter {plan.ArenaBytes} B = hardware model without in-place ADD {tflm.ArenaBytes} B; search (in-place ADD) {search.ArenaBytes} B");
    }
}
