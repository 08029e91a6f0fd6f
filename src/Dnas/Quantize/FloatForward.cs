using Dnas.Engine;
using Dnas.Engine.Kernels;
using Dnas.Hardware;

namespace Dnas.Quantize;

/// <summary>The plain float forward pass of a <see cref="FoldedGraph"/> over a batch, op by op
/// in execution order, keeping every tensor of the graph (indexed like
/// <see cref="ExecutionGraph.Tensors"/>, with the batch size in place of the leading 1) so
/// calibration can read each activation. Convolutions use the engine's float kernels (SAME
/// padding, as TFLite); bias and fused ReLU6 are applied afterwards.</summary>
public sealed class FloatForward
{
    private readonly FoldedGraph _model;
    private readonly Tensor[] _tensors;
    private readonly Tensor _scratch = new(0);

    public FloatForward(FoldedGraph model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _tensors = new Tensor[model.Graph.Tensors.Count];
        for (int i = 0; i < _tensors.Length; i++) _tensors[i] = new Tensor(0);
    }

    /// <summary>Tensor <paramref name="id"/> of the last <see cref="Run"/>.</summary>
    public Tensor this[int id] => _tensors[id];

    /// <summary>The logits (the FULLY_CONNECTED output) of the last run, [N, classes].</summary>
    public Tensor Logits => _tensors[_model.Ops.Single(o => o.Kind == OpKind.FullyConnected).Output];

    /// <summary>The softmax probabilities of the last run, [N, classes].</summary>
    public Tensor Probabilities => _tensors[_model.Graph.OutputTensor];

    /// <summary>Runs the graph on <paramref name="input"/> [N,H,W,C] (x = pixel/255 for our models).</summary>
    public void Run(Tensor input)
    {
        var g = _model.Graph;
        var inShape = g.Tensors[g.InputTensor].Shape;
        if (input.Rank != 4 || input[1] != inShape[1] || input[2] != inShape[2] || input[3] != inShape[3])
            throw new ShapeMismatchException($"folded graph: input must be [N,{inShape[1]},{inShape[2]},{inShape[3]}], got {input}");
        int n = input[0];
        var x = _tensors[g.InputTensor];
        x.Reshape4(n, input[1], input[2], input[3]);
        input.Span.CopyTo(x.Span);
        foreach (var op in _model.Ops) Eval(op, n);
    }

    private void Eval(FoldedOp op, int n)
    {
        var shape = _model.Graph.Tensors[op.Output].Shape;
        var y = _tensors[op.Output];
        if (shape.Count == 4) y.Reshape4(n, shape[1], shape[2], shape[3]);
        else y.Reshape2(n, shape[1]);
        var x = _tensors[op.Op.Inputs[0]];
        switch (op.Kind)
        {
            case OpKind.Conv1x1 when op.Op.Stride == 1:
                Gemm.MatMulNT(x.Span, op.Weights, y.Span, n * x[1] * x[2], op.OutChannels, x[3]);
                BiasActivation(y.Span, op);
                break;
            case OpKind.Conv1x1 or OpKind.ConvKxK:
                _scratch.Reshape2(checked((int)Conv2d.ScratchSize(n, x[1], x[2], x[3], op.Op.Kernel, op.Op.Stride)), 1);
                Conv2d.Forward(x.Span, op.Weights, y.Span, _scratch.Span, n, x[1], x[2], x[3], op.OutChannels, op.Op.Kernel, op.Op.Stride);
                BiasActivation(y.Span, op);
                break;
            case OpKind.Depthwise:
                Depthwise.Forward(x.Span, op.Weights, y.Span, n, x[1], x[2], x[3], op.Op.Kernel, op.Op.Stride);
                BiasActivation(y.Span, op);
                break;
            case OpKind.Add:
                Elementwise.Add(x.Span, _tensors[op.Op.Inputs[1]].Span, y.Span);
                break;
            case OpKind.Mean:
                Elementwise.GlobalAvgPoolForward(x.Span, y.Span, n, x[1] * x[2], x[3]);
                break;
            case OpKind.FullyConnected:
                Gemm.MatMulNT(x.Span, op.Weights, y.Span, n, op.OutChannels, x[1]);
                BiasActivation(y.Span, op);
                break;
            case OpKind.Softmax:
                Softmax(x.Span, y.Span, n, x[1]);
                break;
            default:
                throw new NotSupportedException($"folded graph op '{op.Name}': {op.Kind} is not part of a MobileNetV2 graph");
        }
    }

    private static void BiasActivation(Span<float> y, FoldedOp op)
    {
        var b = op.Bias;
        int c = b.Length;
        for (int i = 0; i < y.Length; i++)
        {
            float v = y[i] + b[i % c];
            y[i] = op.Relu6 ? Math.Clamp(v, 0f, 6f) : v;
        }
    }

    /// <summary>Numerically stable softmax per row (max subtracted, sums in double).</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int classes)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * classes, classes);
            var yr = y.Slice(r * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float v in xr) max = Math.Max(max, v);
            double sum = 0;
            for (int i = 0; i < classes; i++) sum += Math.Exp(xr[i] - max);
            for (int i = 0; i < classes; i++) yr[i] = (float)(Math.Exp(xr[i] - max) / sum);
        }
    }
}
