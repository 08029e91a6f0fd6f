using Dnas.Engine;
using Dnas.Engine.Layers;
using Xunit;

namespace Dnas.Tests.Engine;

/// <summary>A block whose expansion and depthwise outputs are deferred (never written; the next
/// layer reads Z through the batch-norm map) against the same layers run the plain way, every
/// output written and read back: outputs, input gradient and every parameter gradient must be
/// bit-identical, in training and in evaluation mode.</summary>
public class DeferredOutputTests
{
    private sealed class Block
    {
        public readonly ConvBn Expand, Dw, Project;

        public Block(int cin, int hidden, int cout, int k, int stride)
        {
            Expand = new ConvBn("e", ConvKind.Pointwise, cin, hidden, 1, 1, relu6: true);
            Dw = new ConvBn("d", ConvKind.Depthwise, hidden, hidden, k, stride, relu6: true);
            Project = new ConvBn("p", ConvKind.Pointwise, hidden, cout, 1, 1, relu6: false);
            int seed = 40;
            foreach (var l in new[] { Expand, Dw, Project })
                foreach (var prm in l.Parameters())
                {
                    bool bn = prm.Name.Contains(".bn.");
                    KernelAssert.RandomFloats(prm.Length, seed++, bn ? 0.5f : -0.5f, bn ? 1.5f : 0.5f).CopyTo(prm.Value, 0);
                }
        }

        public Tensor Plain(Tensor x, bool training) =>
            Project.Forward(Dw.Forward(Expand.Forward(x, training), training), training);

        public Tensor Deferred(Tensor x, bool training)
        {
            Expand.ForwardDeferred(x, training);
            Dw.ForwardDeferred(Expand, training);
            return Project.Forward(Dw, training);
        }

        public Tensor Backward(Tensor dy)
        {
            var dx = new Tensor(0); var dh = new Tensor(0); var dd = new Tensor(0);
            Project.Backward(dy, dd);
            Dw.Backward(dd, dh);
            Expand.Backward(dh, dx);
            return dx;
        }

        public IEnumerable<Parameter> Parameters() => new[] { Expand, Dw, Project }.SelectMany(l => l.Parameters());
    }

    // n, h, w, cin, hidden, cout, k, stride: small layers (unfused 1x1 backward, which writes the
    // deferred output after all) and layers big enough for the fused 1x1 backward and several
    // staged depthwise bands per image.
    [Theory]
    [InlineData(2, 5, 7, 3, 18, 5, 3, 1)]
    [InlineData(3, 9, 9, 8, 48, 8, 5, 2)]
    [InlineData(4, 48, 48, 16, 96, 24, 3, 2)]
    [InlineData(2, 64, 64, 24, 144, 64, 3, 1)]
    public void DeferredBlockIsBitIdenticalToPlain(int n, int h, int w, int cin, int hidden, int cout, int k, int stride)
    {
        var x = new Tensor(KernelAssert.RandomFloats(n * h * w * cin, 1, -2f, 2f), n, h, w, cin);
        var plain = new Block(cin, hidden, cout, k, stride);
        var deferred = new Block(cin, hidden, cout, k, stride);

        var yPlain = plain.Plain(x, training: true).Span.ToArray();
        var yDeferred = deferred.Deferred(x, training: true).Span.ToArray();
        Assert.Equal(yPlain, yDeferred);

        var dy = KernelAssert.RandomFloats(yPlain.Length, 2);
        var dxPlain = plain.Backward(new Tensor((float[])dy.Clone(), plain.Project.Output.Shape.ToArray())).Span.ToArray();
        var dxDeferred = deferred.Backward(new Tensor((float[])dy.Clone(), deferred.Project.Output.Shape.ToArray())).Span.ToArray();
        Assert.Equal(dxPlain, dxDeferred);
        foreach (var (a, b) in plain.Parameters().Zip(deferred.Parameters()))
            Assert.True(a.Grad.AsSpan().SequenceEqual(b.Grad), $"{a.Name}: gradients differ");
        foreach (var (a, b) in new[] { (plain.Expand, deferred.Expand), (plain.Dw, deferred.Dw) })
        {
            Assert.Equal(a.RunningMean, b.RunningMean);
            Assert.Equal(a.RunningVar, b.RunningVar);
        }

        // Evaluation mode (running statistics), and a deferred output written on demand.
        Assert.Equal(plain.Plain(x, training: false).Span.ToArray(), deferred.Deferred(x, training: false).Span.ToArray());
        Assert.Equal(plain.Dw.Output.Span.ToArray(), deferred.Dw.Output.Span.ToArray());
        Assert.Equal(plain.Expand.Output.Span.ToArray(), deferred.Expand.Output.Span.ToArray());
    }

    [Fact]
    public void TheStemCannotReadADeferredOutputThroughAMapSoItReadsTheWrittenOutput()
    {
        var x = new Tensor(KernelAssert.RandomFloats(2 * 6 * 6 * 3, 3), 2, 6, 6, 3);
        var first = new ConvBn("a", ConvKind.Pointwise, 3, 3, 1, 1, relu6: true);
        var stem = new ConvBn("s", ConvKind.Full, 3, 8, 3, 2, relu6: true);
        KernelAssert.RandomFloats(first.Weight.Length, 4).CopyTo(first.Weight.Value, 0);
        KernelAssert.RandomFloats(stem.Weight.Length, 5).CopyTo(stem.Weight.Value, 0);
        var expected = stem.Forward(first.Forward(x, true), true).Span.ToArray();
        first.ForwardDeferred(x, true);
        Assert.Equal(expected, stem.Forward(first, true).Span.ToArray());
    }

    [Fact]
    public void BackwardBeforeATrainingForwardStillThrows()
    {
        var layer = new ConvBn("e", ConvKind.Pointwise, 4, 8, 1, 1, relu6: true);
        var x = new Tensor(KernelAssert.RandomFloats(2 * 3 * 3 * 4, 6), 2, 3, 3, 4);
        layer.ForwardDeferred(x, training: false);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3, 3, 8), null));
    }
}
