namespace Dnas.Engine.Layers;

/// <summary>MobileNetV2's block: optional 1x1 expansion (ReLU6), KxK depthwise (ReLU6),
/// 1x1 linear projection, and a residual add when the stride is 1 and channels match.</summary>
public sealed class InvertedResidual
{
    public ConvBn? Expand { get; }
    public ConvBn Dw { get; }
    public ConvBn Project { get; }
    public bool Residual { get; }
    private readonly Tensor _out;
    private Tensor? _lastOut;

    public InvertedResidual(string name, int inChannels, int outChannels, int expandRatio, int kernel, int stride, ActivationBuffers? buffers = null)
    {
        int hidden = inChannels * expandRatio;
        if (expandRatio != 1) Expand = new ConvBn(name + ".expand", ConvKind.Pointwise, inChannels, hidden, 1, 1, relu6: true, buffers);
        Dw = new ConvBn(name + ".dw", ConvKind.Depthwise, hidden, hidden, kernel, stride, relu6: true, buffers);
        Project = new ConvBn(name + ".project", ConvKind.Pointwise, hidden, outChannels, 1, 1, relu6: false, buffers);
        _out = buffers?.Next() ?? new Tensor(0);
        Residual = stride == 1 && inChannels == outChannels;
    }

    public IEnumerable<ConvBn> Layers()
    {
        if (Expand != null) yield return Expand;
        yield return Dw;
        yield return Project;
    }

    // x [N,H,W,I] -> [N,OH,OW,O]
    public Tensor Forward(Tensor x, bool training)
    {
        // The expansion and depthwise outputs are normally never written: each next layer reads
        // the pre-norm values through the batch-norm map (see ConvBn).
        bool defer = Fusion.DeferOutputs;
        if (Expand != null)
        {
            if (defer) Expand.ForwardDeferred(x, training); else Expand.Forward(x, training);
            if (defer) Dw.ForwardDeferred(Expand, training); else Dw.Forward(Expand, training);
        }
        else if (defer) Dw.ForwardDeferred(x, training);
        else Dw.Forward(x, training);
        Project.Forward(Dw, training);
        var h = Project.Output;
        if (Residual)
        {
            _out.Reshape4(h[0], h[1], h[2], h[3]);
            Kernels.Elementwise.Add(h.Span, x.Span, _out.Span);
            h = _out;
        }
        _lastOut = h;
        return h;
    }

    /// <summary>dY -> dX written into <paramref name="dx"/>; parameter gradients accumulate.
    /// dY may be overwritten when the block has no skip connection. <paramref name="inputOwner"/>:
    /// the layer whose output is this block's input; without a skip connection dX is its whole
    /// output gradient, and its batch-norm sums are gathered while dX is written.</summary>
    public void Backward(Tensor dy, Tensor dx, GradientPool pool, ConvBn? inputOwner = null)
    {
        bool gather = Fusion.GatherGradSums;
        var owner = Residual || !gather ? null : inputOwner;
        if (_lastOut is null) throw new InvalidOperationException("InvertedResidual: backward before forward");
        // The skip path needs dY after the branch; copy it only if the projection would overwrite it.
        Tensor? copy = null;
        if (Residual && !Project.PreservesOutputGradient)
        {
            copy = pool.Rent4(dy[0], dy[1], dy[2], dy[3]);
            dy.Span.CopyTo(copy.Span);
        }
        var dHidden = Expand != null ? pool.Rent4(1, 1, 1, 1) : dx;
        var dDw = pool.Rent4(1, 1, 1, 1);
        // Each layer gathers the batch-norm sums of the layer before it while writing that layer's dY.
        Project.Backward(copy ?? dy, dDw, gather ? Dw : null);
        if (copy != null) pool.Return(copy);
        Dw.Backward(dDw, dHidden, gather ? Expand ?? owner : null);
        pool.Return(dDw);
        if (Expand != null)
        {
            Expand.Backward(dHidden, dx, owner);
            pool.Return(dHidden);
        }
        if (Residual) Kernels.Elementwise.Add(dx.Span, dy.Span, dx.Span);
    }
}
