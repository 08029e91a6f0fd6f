using Dnas.Engine.Kernels;

namespace Dnas.Engine.Layers;

public enum ConvKind
{
    /// <summary>Full KxK convolution (the stem), weights [O,K,K,I].</summary>
    Full,
    /// <summary>1x1 convolution as a GEMM, weights [O,1,1,I].</summary>
    Pointwise,
    /// <summary>Depthwise KxK, weights [1,K,K,C].</summary>
    Depthwise,
}

/// <summary>Convolution (no bias) + batch norm + optional ReLU6: the unit MobileNetV2 is made of.
/// Keeps what backward needs: the input (by reference), the pre-norm output Z, the output Y,
/// the batch statistics. Buffers are reused across steps.</summary>
public sealed class ConvBn
{
    public const float BnMomentum = 0.1f, BnEps = 1e-5f;

    /// <summary>Running-statistics momentum of the next training-mode forward passes (PyTorch's
    /// 0.1 by default; BN recalibration sets 1/(k+1) for a cumulative average).</summary>
    public float Momentum { get; set; } = BnMomentum;

    public ConvKind Kind { get; }
    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public bool Relu6 { get; }

    public Parameter Weight { get; }
    public Parameter Gamma { get; }
    public Parameter Beta { get; }
    public float[] RunningMean { get; }
    public float[] RunningVar { get; }

    private readonly float[] _mean, _invStd, _dGamma, _dBeta, _dWeight, _coef, _scaleShift;
    private readonly Tensor _z, _y, _cols;
    private Tensor? _x;
    private bool _trained;

    public ConvBn(string name, ConvKind kind, int inChannels, int outChannels, int kernel, int stride, bool relu6, ActivationBuffers? buffers = null)
    {
        _z = buffers?.Next() ?? new Tensor(0);
        _y = buffers?.Next() ?? new Tensor(0);
        _cols = kind == ConvKind.Full ? buffers?.Next() ?? new Tensor(0) : new Tensor(0);
        if (kind == ConvKind.Depthwise && inChannels != outChannels)
            throw new ShapeMismatchException($"{name}: depthwise needs equal in/out channels, got {inChannels} -> {outChannels}");
        if (kind == ConvKind.Pointwise && kernel != 1)
            throw new ArgumentException($"{name}: a pointwise convolution has kernel 1, got {kernel}");
        Kind = kind; InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; Relu6 = relu6;
        int[] wShape = kind == ConvKind.Depthwise ? [1, kernel, kernel, outChannels] : [outChannels, kernel, kernel, inChannels];
        Weight = new Parameter(name + ".weight", wShape);
        Gamma = new Parameter(name + ".bn.weight", [outChannels], noDecay: true);
        Beta = new Parameter(name + ".bn.bias", [outChannels], noDecay: true);
        Array.Fill(Gamma.Value, 1f);
        RunningMean = new float[outChannels];
        RunningVar = new float[outChannels];
        Array.Fill(RunningVar, 1f);
        _mean = new float[outChannels]; _invStd = new float[outChannels];
        _dGamma = new float[outChannels]; _dBeta = new float[outChannels];
        _dWeight = new float[Weight.Length];
        _coef = new float[3 * outChannels];
        _scaleShift = new float[2 * outChannels];
    }

    public IEnumerable<Parameter> Parameters() { yield return Weight; yield return Gamma; yield return Beta; }

    /// <summary>The output of the last forward pass.</summary>
    public Tensor Output => _y;
    /// <summary>The input of the last forward pass (kept for backward).</summary>
    internal Tensor? Input => _x;

    // x [N,H,W,I] -> Y [N,OH,OW,O]
    public Tensor Forward(Tensor x, bool training)
    {
        if (x.Rank != 4 || x[3] != InChannels)
            throw new ShapeMismatchException($"{Weight.Name}: input must be [N,H,W,{InChannels}], got {x}");
        int n = x[0], h = x[1], w = x[2];
        int oh = Padding.SameOutput(h, Stride), ow = Padding.SameOutput(w, Stride);
        _z.Reshape4(n, oh, ow, OutChannels);
        _y.Reshape4(n, oh, ow, OutChannels);
        switch (Kind)
        {
            case ConvKind.Pointwise when Stride == 1:
                Gemm.MatMulNT(x.Span, Weight.Value, _z.Span, n * h * w, OutChannels, InChannels);
                break;
            case ConvKind.Depthwise:
                Depthwise.Forward(x.Span, Weight.Value, _z.Span, n, h, w, InChannels, Kernel, Stride);
                break;
            default:
                _cols.Reshape2(checked((int)Conv2d.ScratchSize(n, h, w, InChannels, Kernel, Stride)), 1);
                Conv2d.Forward(x.Span, Weight.Value, _z.Span, _cols.Span, n, h, w, InChannels, OutChannels, Kernel, Stride);
                break;
        }
        int p = n * oh * ow;
        if (training)
            BatchNorm.ForwardTrain(_z.Span, _y.Span, p, OutChannels, Gamma.Value, Beta.Value, _mean, _invStd,
                RunningMean, RunningVar, Momentum, BnEps, Relu6, _scaleShift);
        else
            BatchNorm.ForwardInference(_z.Span, _y.Span, p, OutChannels, Gamma.Value, Beta.Value, RunningMean, RunningVar, BnEps, Relu6);
        _x = x;
        _trained = training;
        return _y;
    }

    /// <summary>True when <see cref="Backward"/> leaves dY intact for this layer's current shape
    /// (the fused 1x1 path); otherwise it overwrites dY with the gradient of Z.</summary>
    public bool PreservesOutputGradient =>
        Kind == ConvKind.Pointwise && Stride == 1 && PointwiseBackward.Worthwhile(_y[0] * _y[1] * _y[2], OutChannels);

    /// <summary>Accumulates parameter gradients from dY. dY may be overwritten (with the
    /// gradient of Z). The input gradient goes to <paramref name="dx"/> when given.</summary>
    public void Backward(Tensor dy, Tensor? dx)
    {
        if (_x is null || !_trained) throw new InvalidOperationException($"{Weight.Name}: backward needs a training-mode forward first");
        if (!dy.Shape.SequenceEqual(_y.Shape)) throw new ShapeMismatchException($"{Weight.Name} dY", _y.Shape, dy.Shape);
        var x = _x;
        int n = x[0], h = x[1], w = x[2];
        int p = _y[0] * _y[1] * _y[2];
        if (dx != null) dx.Reshape4(n, h, w, InChannels);
        if (PreservesOutputGradient)
        {
            // Large 1x1 layers: BN gradient, dW and dX in one blocked sweep (dY is left as it was).
            BatchNorm.BackwardCoefficients(dy.Span, _z.Span, _scaleShift, p, OutChannels, Gamma.Value, _mean, _invStd, _dGamma, _dBeta, Relu6, _coef);
            Gamma.AccumulateGrad(_dGamma);
            Beta.AccumulateGrad(_dBeta);
            PointwiseBackward.Run(dy.Span, _z.Span, _scaleShift, _mean, _coef, Relu6, x.Span, Weight.Value, Weight.Grad,
                dx != null ? dx.Span : default, p, OutChannels, InChannels);
            return;
        }
        if (Kind == ConvKind.Depthwise)
        {
            // BN gradient, dW and dX in one banded sweep (dY is overwritten with dZ).
            BatchNorm.BackwardCoefficients(dy.Span, _z.Span, _scaleShift, p, OutChannels, Gamma.Value, _mean, _invStd, _dGamma, _dBeta, Relu6, _coef);
            Gamma.AccumulateGrad(_dGamma);
            Beta.AccumulateGrad(_dBeta);
            Depthwise.BackwardFused(dy.Span, _z.Span, _scaleShift, _mean, _coef, Relu6, x.Span, Weight.Value, _dWeight,
                dx != null ? dx.Span : default, n, h, w, InChannels, Kernel, Stride);
            Weight.AccumulateGrad(_dWeight);
            return;
        }
        BatchNorm.Backward(dy.Span, _z.Span, _scaleShift, dy.Span, p, OutChannels, Gamma.Value, _mean, _invStd, _dGamma, _dBeta, Relu6);
        Gamma.AccumulateGrad(_dGamma);
        Beta.AccumulateGrad(_dBeta);
        switch (Kind)
        {
            case ConvKind.Pointwise when Stride == 1:
                // dW[O,I] += dZ[P,O]ᵀ · X[P,I];  dX[P,I] = dZ[P,O] · W[O,I]
                Gemm.MatMulTN(dy.Span, x.Span, Weight.Grad, OutChannels, InChannels, p, accumulate: true);
                if (dx != null) Gemm.MatMulNN(dy.Span, Weight.Value, dx.Span, p, InChannels, OutChannels);
                break;
            default:
                Conv2d.BackwardWeight(dy.Span, _cols.Span, _dWeight, n, h, w, InChannels, OutChannels, Kernel, Stride);
                Weight.AccumulateGrad(_dWeight);
                if (dx != null) Conv2d.BackwardInput(dy.Span, Weight.Value, dx.Span, _cols.Span, n, h, w, InChannels, OutChannels, Kernel, Stride);
                break;
        }
    }
}
