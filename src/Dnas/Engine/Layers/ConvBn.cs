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
/// the batch statistics. Buffers are reused across steps.
///
/// Inside a block the output Y = clamp(a·Z + b) need not be written at all: a deferred forward
/// (<see cref="ForwardDeferred(Tensor, bool)"/>) stops at Z and the per-channel map (a, b), and
/// the next layer, run with <see cref="Forward(ConvBn, bool)"/>, applies the map as it reads Z
/// in cache-sized blocks, forward and backward. That saves a write and a read of the layer's
/// largest tensor per step (and its memory); the values are bit-identical to writing Y.</summary>
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

    private readonly float[] _dGamma, _dBeta, _dWeight;
    // Read by the kernels once per row: aligned like the tensors.
    private readonly AlignedFloats _mean, _invStd, _coef, _scaleShift;
    private readonly Tensor _z, _y, _cols;
    private Tensor? _x;
    private ConvBn? _source; // the deferred producer _x is the Z of, read through its map
    private bool _trained, _pending; // _pending: the last forward was deferred and Y is not written yet
    // Backward sums of this layer's batch norm, gathered by the next layer's backward while it wrote dY.
    private double[] _gradPartials = [];
    private int _gradSlots;
    private bool _gradSumsReady;

    /// <summary>Backward passes that took their batch-norm sums from the next layer (for tests).</summary>
    internal int GatheredSumsUsed { get; private set; }

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
        _mean = new AlignedFloats(outChannels); _invStd = new AlignedFloats(outChannels);
        _dGamma = new float[outChannels]; _dBeta = new float[outChannels];
        _dWeight = new float[Weight.Length];
        _coef = new AlignedFloats(3 * outChannels);
        _scaleShift = new AlignedFloats(2 * outChannels);
    }

    public IEnumerable<Parameter> Parameters() { yield return Weight; yield return Gamma; yield return Beta; }

    /// <summary>The output of the last forward pass (written now if that pass was deferred).</summary>
    public Tensor Output
    {
        get
        {
            if (_pending)
            {
                _y.Reshape4(_z[0], _z[1], _z[2], _z[3]);
                BatchNorm.ApplyMap(_z.Span, _y.Span, _z[0] * _z[1] * _z[2], OutChannels, _scaleShift, Relu6);
                _pending = false;
            }
            return _y;
        }
    }

    /// <summary>The shape of the last forward's output, without writing a deferred one.</summary>
    public ReadOnlySpan<int> OutputShape => _z.Shape;

    /// <summary>True when the last forward was deferred and its output is not written yet.</summary>
    public bool OutputDeferred => _pending;

    /// <summary>The input of the last forward pass (kept for backward); the producer's Z when
    /// that pass read a deferred output.</summary>
    internal Tensor? Input => _x;

    /// <summary>The deferred layer the last forward read through its map, if any.</summary>
    internal ConvBn? InputSource => _source;

    // x [N,H,W,I] -> Y [N,OH,OW,O]
    public Tensor Forward(Tensor x, bool training)
    {
        Run(x, null, training, defer: false);
        return _y;
    }

    /// <summary>Forward from another layer's output, reading it through its batch-norm map when
    /// that layer's forward was deferred. Returns Y.</summary>
    public Tensor Forward(ConvBn producer, bool training)
    {
        RunFrom(producer, training, defer: false);
        return _y;
    }

    /// <summary>Forward that stops at Z and the batch-norm map; the next layer must read this
    /// layer with <see cref="Forward(ConvBn, bool)"/> or <see cref="ForwardDeferred(ConvBn, bool)"/>
    /// (or <see cref="Output"/>, which writes Y then).</summary>
    public void ForwardDeferred(Tensor x, bool training) => Run(x, null, training, defer: true);

    /// <summary><see cref="ForwardDeferred(Tensor, bool)"/> reading <paramref name="producer"/>'s output.</summary>
    public void ForwardDeferred(ConvBn producer, bool training) => RunFrom(producer, training, defer: true);

    private void RunFrom(ConvBn producer, bool training, bool defer)
    {
        // Only the depthwise and 1x1 kernels read through a map; the stem's im2col reads Y.
        bool mapped = producer._pending && (Kind == ConvKind.Depthwise || (Kind == ConvKind.Pointwise && Stride == 1));
        if (mapped) Run(producer._z, producer, training, defer);
        else Run(producer.Output, null, training, defer);
    }

    private void Run(Tensor x, ConvBn? source, bool training, bool defer)
    {
        if (x.Rank != 4 || x[3] != InChannels)
            throw new ShapeMismatchException($"{Weight.Name}: input must be [N,H,W,{InChannels}], got {x}");
        int n = x[0], h = x[1], w = x[2];
        int oh = Padding.SameOutput(h, Stride), ow = Padding.SameOutput(w, Stride);
        _z.Reshape4(n, oh, ow, OutChannels);
        if (!defer) _y.Reshape4(n, oh, ow, OutChannels);
        ReadOnlySpan<float> map = source != null ? source._scaleShift.Span : default;
        bool mapRelu6 = source?.Relu6 ?? false;
        switch (Kind)
        {
            case ConvKind.Pointwise when Stride == 1:
                if (source != null) Gemm.MatMulNT(x.Span, Weight.Value, _z.Span, n * h * w, OutChannels, InChannels, map, mapRelu6);
                else Gemm.MatMulNT(x.Span, Weight.Value, _z.Span, n * h * w, OutChannels, InChannels);
                break;
            case ConvKind.Depthwise:
                Depthwise.Forward(x.Span, Weight.Value, _z.Span, n, h, w, InChannels, Kernel, Stride, map, mapRelu6);
                break;
            default:
                if (source != null) throw new InvalidOperationException($"{Weight.Name}: a {Kind} convolution cannot read a deferred output");
                _cols.Reshape2(checked((int)Conv2d.ScratchSize(n, h, w, InChannels, Kernel, Stride)), 1);
                Conv2d.Forward(x.Span, Weight.Value, _z.Span, _cols.Span, n, h, w, InChannels, OutChannels, Kernel, Stride);
                break;
        }
        int p = n * oh * ow;
        var y = defer ? default : _y.Span;
        if (training)
            BatchNorm.ForwardTrain(_z.Span, y, p, OutChannels, Gamma.Value, Beta.Value, _mean, _invStd,
                RunningMean, RunningVar, Momentum, BnEps, Relu6, _scaleShift);
        else
            BatchNorm.ForwardInference(_z.Span, y, p, OutChannels, Gamma.Value, Beta.Value, RunningMean, RunningVar, BnEps, Relu6, _scaleShift);
        _x = x;
        _source = source;
        _trained = training;
        _pending = defer;
        _gradSumsReady = false;
    }

    /// <summary>Partial-sum slots, cleared, for the layer whose backward writes this layer's dY.</summary>
    private BatchNormGradSumsRequest BeginGradSums()
    {
        int slots = BatchNormGradSumsRequest.Slots;
        int need = slots * 2 * OutChannels;
        if (_gradPartials.Length < need) _gradPartials = new double[need];
        Array.Clear(_gradPartials, 0, need);
        _gradSlots = slots;
        return new BatchNormGradSumsRequest
        {
            Z = _z.Span, Mask = Relu6 ? _scaleShift.Span : default, Mean = _mean, Partials = _gradPartials.AsSpan(0, need), C = OutChannels,
        };
    }

    /// <summary>dGamma, dBeta and the BN gradient coefficients: from the sums the next layer
    /// gathered, or in a pass over dY and Z.</summary>
    private void GradientCoefficients(Tensor dy, int p)
    {
        if (_gradSumsReady)
        {
            BatchNorm.CoefficientsFromSums(_gradPartials.AsSpan(0, _gradSlots * 2 * OutChannels), _gradSlots, p, OutChannels,
                Gamma.Value, _invStd, _dGamma, _dBeta, _coef);
            GatheredSumsUsed++;
        }
        else
            BatchNorm.BackwardCoefficients(dy.Span, _z.Span, _scaleShift, p, OutChannels, Gamma.Value, _mean, _invStd, _dGamma, _dBeta, Relu6, _coef);
        _gradSumsReady = false;
        Gamma.AccumulateGrad(_dGamma);
        Beta.AccumulateGrad(_dBeta);
    }

    /// <summary>True when <see cref="Backward"/> leaves dY intact for this layer's current shape
    /// (the fused 1x1 path); otherwise it overwrites dY with the gradient of Z.</summary>
    public bool PreservesOutputGradient =>
        Kind == ConvKind.Pointwise && Stride == 1 && PointwiseBackward.Worthwhile(_z[0] * _z[1] * _z[2], OutChannels);

    /// <summary>Accumulates parameter gradients from dY. dY may be overwritten (with the
    /// gradient of Z). The input gradient goes to <paramref name="dx"/> when given. When
    /// <paramref name="dxOwner"/> is the layer whose output dX is the gradient of, its batch-norm
    /// backward sums are gathered while dX is written (the 1x1 and depthwise paths), which spares
    /// that layer a pass over its dY and Z.</summary>
    public void Backward(Tensor dy, Tensor? dx, ConvBn? dxOwner = null)
    {
        if (_x is null || !_trained) throw new InvalidOperationException($"{Weight.Name}: backward needs a training-mode forward first");
        if (!dy.Shape.SequenceEqual(_z.Shape)) throw new ShapeMismatchException($"{Weight.Name} dY", _z.Shape, dy.Shape);
        var x = _x;
        int n = x[0], h = x[1], w = x[2];
        int p = _z[0] * _z[1] * _z[2];
        ReadOnlySpan<float> map = _source != null ? _source._scaleShift.Span : default;
        bool mapRelu6 = _source?.Relu6 ?? false;
        if (dx != null) dx.Reshape4(n, h, w, InChannels);
        bool fused = PreservesOutputGradient || Kind == ConvKind.Depthwise;
        bool gather = fused && dx != null && dxOwner != null;
        if (gather && !dx!.Shape.SequenceEqual(dxOwner!._z.Shape))
            throw new ShapeMismatchException($"{Weight.Name} dX for {dxOwner.Weight.Name}", dxOwner._z.Shape, dx.Shape);
        var sums = gather ? dxOwner!.BeginGradSums() : default;
        if (PreservesOutputGradient)
        {
            // Large 1x1 layers: BN gradient, dW and dX in one blocked sweep (dY is left as it was).
            GradientCoefficients(dy, p);
            PointwiseBackward.Run(dy.Span, _z.Span, _scaleShift, _mean, _coef, Relu6, x.Span, Weight.Value, Weight.Grad,
                dx != null ? dx.Span : default, p, OutChannels, InChannels, map, mapRelu6, sums);
            if (gather) dxOwner!._gradSumsReady = true;
            return;
        }
        if (Kind == ConvKind.Depthwise)
        {
            // BN gradient, dW and dX in one banded sweep (dY is overwritten with dZ).
            GradientCoefficients(dy, p);
            Depthwise.BackwardFused(dy.Span, _z.Span, _scaleShift, _mean, _coef, Relu6, x.Span, Weight.Value, _dWeight,
                dx != null ? dx.Span : default, n, h, w, InChannels, Kernel, Stride, map, mapRelu6, sums);
            Weight.AccumulateGrad(_dWeight);
            if (gather) dxOwner!._gradSumsReady = true;
            return;
        }
        if (Kind == ConvKind.Full && dx == null && PointwiseBackward.Worthwhile(p, OutChannels))
        {
            // The stem: its weight gradient is the 1x1 one over the im2col rows, W [O, K·K·I] as stored.
            // BN gradient and dW in one blocked sweep, so dZ is never written.
            GradientCoefficients(dy, p);
            PointwiseBackward.Run(dy.Span, _z.Span, _scaleShift, _mean, _coef, Relu6, _cols.Span, Weight.Value, Weight.Grad,
                default, p, OutChannels, Kernel * Kernel * InChannels);
            return;
        }
        _gradSumsReady = false; // the unfused path below gathers its own sums
        BatchNorm.Backward(dy.Span, _z.Span, _scaleShift, dy.Span, p, OutChannels, Gamma.Value, _mean, _invStd, _dGamma, _dBeta, Relu6);
        Gamma.AccumulateGrad(_dGamma);
        Beta.AccumulateGrad(_dBeta);
        switch (Kind)
        {
            case ConvKind.Pointwise when Stride == 1:
                // dW[O,I] += dZ[P,O]ᵀ · X[P,I];  dX[P,I] = dZ[P,O] · W[O,I]
                if (_source != null) Gemm.MatMulTN(dy.Span, x.Span, Weight.Grad, OutChannels, InChannels, p, accumulate: true, map, mapRelu6);
                else Gemm.MatMulTN(dy.Span, x.Span, Weight.Grad, OutChannels, InChannels, p, accumulate: true);
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
