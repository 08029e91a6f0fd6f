using Dnas.Engine.Kernels;

namespace Dnas.Engine.Layers;

/// <summary>Fully connected layer with bias: y[N,O] = x[N,I] · W[O,I]ᵀ + b.</summary>
public sealed class Linear
{
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public int In { get; }
    public int Out { get; }
    private readonly Tensor _y;
    private readonly float[] _dBias;
    private Tensor? _x;

    public Linear(string name, int inFeatures, int outFeatures, ActivationBuffers? buffers = null)
    {
        _y = buffers?.Next() ?? new Tensor(0);
        In = inFeatures; Out = outFeatures;
        Weight = new Parameter(name + ".weight", [outFeatures, inFeatures]);
        Bias = new Parameter(name + ".bias", [outFeatures], noDecay: true);
        _dBias = new float[outFeatures];
    }

    public IEnumerable<Parameter> Parameters() { yield return Weight; yield return Bias; }

    // x [N,I] -> y [N,O]
    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 2 || x[1] != In) throw new ShapeMismatchException($"{Weight.Name}: input must be [N,{In}], got {x}");
        int n = x[0];
        _y.Reshape2(n, Out);
        Gemm.MatMulNT(x.Span, Weight.Value, _y.Span, n, Out, In);
        var y = _y.Span;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < Out; o++) y[b * Out + o] += Bias.Value[o];
        _x = x;
        return _y;
    }

    // dy [N,O] -> dx [N,I]; dW += dyᵀ·x, db += Σ dy
    public void Backward(Tensor dy, Tensor dx)
    {
        if (_x is null) throw new InvalidOperationException($"{Weight.Name}: backward before forward");
        if (!dy.Shape.SequenceEqual(_y.Shape)) throw new ShapeMismatchException($"{Weight.Name} dY", _y.Shape, dy.Shape);
        int n = _x[0];
        Gemm.MatMulTN(dy.Span, _x.Span, Weight.Grad, Out, In, n, accumulate: true);
        Array.Clear(_dBias);
        var g = dy.Span;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < Out; o++) _dBias[o] += g[b * Out + o];
        Bias.AccumulateGrad(_dBias);
        dx.Reshape2(n, In);
        Gemm.MatMulNN(dy.Span, Weight.Value, dx.Span, n, In, Out);
    }
}
