using Dnas.Engine.Layers;

namespace Dnas.Engine.Models;

/// <summary>MobileNetV2 on the engine: stem conv, inverted-residual blocks, 1x1 head conv,
/// global average pool, linear classifier. Any input resolution, 1 or 3 input channels.
/// Parameter order is fixed (stem, blocks in order, head, classifier) and is the order the
/// PyTorch dump uses.</summary>
public sealed class MobileNetV2
{
    public MobileNetV2Spec Spec { get; }
    public ConvBn Stem { get; }
    public IReadOnlyList<InvertedResidual> Blocks => _blocks;
    private readonly InvertedResidual[] _blocks; // an array: foreach over it allocates no enumerator
    public ConvBn Head { get; }
    public Linear Classifier { get; }

    private readonly GradientPool _pool;
    private Parameter[]? _parameters;
    private readonly Tensor _pooled, _dPooled;

    /// <param name="buffers">Activation storage to share with other networks that never run at
    /// the same time (the supernet's subnets); null gives the network its own.</param>
    public MobileNetV2(MobileNetV2Spec spec, ActivationBuffers? buffers = null)
    {
        Spec = spec;
        buffers?.BeginNetwork();
        _pool = buffers?.Gradients ?? new GradientPool();
        _pooled = buffers?.Next() ?? new Tensor(0);
        _dPooled = buffers?.Next() ?? new Tensor(0);
        Stem = new ConvBn("stem", ConvKind.Full, spec.InChannels, spec.StemChannels, 3, 2, relu6: true, buffers);
        var blocks = new List<InvertedResidual>();
        int c = spec.StemChannels;
        for (int i = 0; i < spec.Blocks.Count; i++)
        {
            var b = spec.Blocks[i];
            blocks.Add(new InvertedResidual($"blocks.{i}", c, b.Out, b.Expand, b.Kernel, b.Stride, buffers));
            c = b.Out;
        }
        _blocks = blocks.ToArray();
        Head = new ConvBn("head", ConvKind.Pointwise, c, spec.HeadChannels, 1, 1, relu6: true, buffers);
        Classifier = new Linear("classifier", spec.HeadChannels, spec.Classes, buffers);
    }

    public IEnumerable<ConvBn> ConvLayers()
    {
        yield return Stem;
        foreach (var b in Blocks) foreach (var l in b.Layers()) yield return l;
        yield return Head;
    }

    public IEnumerable<Parameter> Parameters()
    {
        foreach (var l in ConvLayers()) foreach (var p in l.Parameters()) yield return p;
        foreach (var p in Classifier.Parameters()) yield return p;
    }

    /// <summary>torchvision's initialisation: conv weights Kaiming-normal (fan_out, ReLU gain),
    /// BN scale 1 and shift 0, classifier N(0, 0.01) with zero bias. Deterministic by seed.</summary>
    public void Initialize(ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var l in ConvLayers())
        {
            int k2 = l.Kernel * l.Kernel;
            double std = Math.Sqrt(2.0 / (l.OutChannels * k2));
            var w = l.Weight.Value;
            for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextGaussian() * std);
            Array.Fill(l.Gamma.Value, 1f); Array.Clear(l.Beta.Value);
            Array.Clear(l.RunningMean); Array.Fill(l.RunningVar, 1f);
        }
        var fc = Classifier.Weight.Value;
        for (int i = 0; i < fc.Length; i++) fc[i] = (float)(rng.NextGaussian() * 0.01);
        Array.Clear(Classifier.Bias.Value);
    }

    public void ZeroGrad()
    {
        _parameters ??= Parameters().ToArray(); // cached: the training step allocates nothing
        foreach (var p in _parameters) p.ZeroGrad();
    }

    // x [N,H,W,Cin] -> logits [N,classes]
    public Tensor Forward(Tensor x, bool training)
    {
        if (x.Rank != 4 || x[3] != Spec.InChannels)
            throw new ShapeMismatchException($"MobileNetV2: input must be [N,H,W,{Spec.InChannels}], got {x}");
        var h = Stem.Forward(x, training);
        foreach (var b in _blocks) h = b.Forward(h, training);
        h = Head.Forward(h, training);
        int n = h[0], hw = h[1] * h[2], c = h[3];
        _pooled.Reshape2(n, c);
        Kernels.Elementwise.GlobalAvgPoolForward(h.Span, _pooled.Span, n, hw, c);
        return Classifier.Forward(_pooled);
    }

    /// <summary>Backward from dLogits [N,classes]; parameter gradients accumulate.</summary>
    public void Backward(Tensor dLogits)
    {
        Classifier.Backward(dLogits, _dPooled);
        var hOut = Head.Output;
        var g = _pool.Rent4(hOut[0], hOut[1], hOut[2], hOut[3]);
        Kernels.Elementwise.GlobalAvgPoolBackward(_dPooled.Span, g.Span, hOut[0], hOut[1] * hOut[2], hOut[3]);
        var dx = _pool.Rent4(1, 1, 1, 1);
        Head.Backward(g, dx);
        (g, dx) = (dx, g);
        for (int i = _blocks.Length - 1; i >= 0; i--)
        {
            _blocks[i].Backward(g, dx, _pool, i == 0 ? Stem : _blocks[i - 1].Project);
            (g, dx) = (dx, g);
        }
        Stem.Backward(g, null); // the image needs no gradient
        _pool.Return(g);
        _pool.Return(dx);
    }
}
