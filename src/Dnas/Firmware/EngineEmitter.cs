using System.Globalization;
using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>One constant array of the generated engine.</summary>
public sealed record CArray(string CName, string CType, int Count, string Values, string Comment, long Bytes);

/// <summary>One layer of the generated engine: a comment and the C statements of its call.</summary>
public sealed record CCall(string Comment, IReadOnlyList<string> Lines);

/// <summary>Turns each operator of a <see cref="ModelGraph"/> into a kernel call with every
/// parameter precomputed (<see cref="Requantization"/>) and its constants as C arrays: the
/// "Prepare" of TFLite done at generation time; the C only does "Eval".</summary>
public sealed class EngineEmitter
{
    private readonly ModelGraph _g;
    private readonly string _name;
    private readonly List<CArray> _arrays = [];
    private readonly List<CCall> _calls = [];

    public IReadOnlyList<CArray> Arrays => _arrays;
    public IReadOnlyList<CCall> Calls => _calls;
    public long ConstantBytes => _arrays.Sum(a => a.Bytes);

    public EngineEmitter(ModelGraph graph, string name)
    {
        _g = graph;
        _name = name;
        var ops = graph.Model.SubGraph.Operators;
        for (int i = 0; i < ops.Count; i++) Emit(i, ops[i]);
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private string A(int tensor) => $"a + {I(_g.Offset(tensor))}";

    private string Shape(int tensor)
    {
        var s = _g.Tensor(tensor).Shape;
        if (s.Length != 4 || s[0] != 1) throw _g.Error($"tensor {tensor} '{_g.Tensor(tensor).Name}' has shape [{string.Join(", ", s)}]; this operator needs [1, H, W, C]");
        return $"(dnas_shape_t){{{I(s[1])}, {I(s[2])}, {I(s[3])}}}";
    }

    private string Array(int op, string what, sbyte[] values, string comment) => Add(op, what, "int8_t", values, comment, 1);
    private string Array(int op, string what, int[] values, string comment) => Add(op, what, "int32_t", values, comment, 4);

    private string Add<T>(int op, string what, string type, T[] values, string comment, int size) where T : IFormattable
    {
        string cname = $"{_name}_op{op}_{what}";
        _arrays.Add(new CArray(cname, type, values.Length, CArrays.Values(values), comment, (long)values.Length * size));
        return cname;
    }

    private void Emit(int i, TfLiteOperator op)
    {
        var code = (TfLiteOp)_g.Model.CodeOf(op);
        string comment = $"op {i}: {TfLiteNames.Op((int)code)} -> '{_g.Tensor(op.Outputs[0]).Name}' {string.Join("x", _g.Tensor(op.Outputs[0]).Shape)}";
        var lines = code switch
        {
            TfLiteOp.Conv2D or TfLiteOp.DepthwiseConv2D => Convolution(i, op, code == TfLiteOp.DepthwiseConv2D),
            TfLiteOp.FullyConnected => FullyConnected(i, op),
            TfLiteOp.Add => AddOp(op),
            TfLiteOp.AveragePool2D or TfLiteOp.MaxPool2D => Pool(op, code == TfLiteOp.MaxPool2D),
            TfLiteOp.Mean => Mean(op),
            TfLiteOp.Softmax => Softmax(op),
            TfLiteOp.Pad => Pad(op),
            TfLiteOp.Reshape => Reshape(op),
            _ => throw _g.Error($"operator {i} ({TfLiteNames.Op((int)code)}) is not supported"),
        };
        _calls.Add(new CCall(comment, lines));
    }

    private T Options<T>(TfLiteOperator op, int index) where T : TfLiteOptions =>
        op.Options as T ?? throw _g.Error($"operator {index} has no {typeof(T).Name}");

    private List<string> Convolution(int index, TfLiteOperator op, bool depthwise)
    {
        int input = op.Inputs[0], filter = op.Inputs[1], bias = op.Inputs.Length > 2 ? op.Inputs[2] : -1, output = op.Outputs[0];
        var inShape = _g.Tensor(input).Shape;
        var fShape = _g.Tensor(filter).Shape;
        var outShape = _g.Tensor(output).Shape;
        TfLitePadding padding; int sw, sh, dw, dh, dm = 1; TfLiteActivation act;
        if (depthwise)
        {
            var o = Options<DepthwiseConv2DOptions>(op, index);
            (padding, sw, sh, dw, dh, act) = (o.Padding, o.StrideW, o.StrideH, o.DilationW, o.DilationH, o.Activation);
            dm = outShape[3] / inShape[3];
            if (dm * inShape[3] != outShape[3]) throw _g.Error($"operator {index} (DEPTHWISE_CONV_2D): {outShape[3]} output channels are not a multiple of {inShape[3]} input channels");
        }
        else
        {
            var o = Options<Conv2DOptions>(op, index);
            (padding, sw, sh, dw, dh, act) = (o.Padding, o.StrideW, o.StrideH, o.DilationW, o.DilationH, o.Activation);
            if (fShape[3] != inShape[3]) throw _g.Error($"operator {index} (CONV_2D): filter '{_g.Tensor(filter).Name}' has {fShape[3]} input channels, the input has {inShape[3]} (grouped convolution is not supported)");
        }
        int kh = fShape[1], kw = fShape[2], channels = outShape[3];
        var (_, padTop) = Requantization.Padding(padding, inShape[1], kh, sh, dh);
        var (_, padLeft) = Requantization.Padding(padding, inShape[2], kw, sw, dw);
        var (inScale, inZp) = _g.Quant(input);
        var (outScale, outZp) = _g.Quant(output);
        var fq = _g.RequireQuantized(filter);
        if (fq.Scale.Length != 1 && fq.Scale.Length != channels)
            throw _g.Error($"operator {index}: filter '{_g.Tensor(filter).Name}' has {fq.Scale.Length} scales for {channels} output channels");
        var (mult, shift) = Requantization.PerChannel(inScale, fq.Scale, outScale, channels);
        var (amin, amax) = Requantization.ActivationRange(act, outScale, outZp);
        string what = depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
        var filterData = _g.Int8Data(filter);
        var biasData = bias >= 0 ? _g.Int32Data(bias) : new int[channels];
        string f = Array(index, "filter", filterData, $"{what} filter '{_g.Tensor(filter).Name}' [{string.Join(", ", fShape)}]");
        string m = Array(index, "multiplier", mult, "requantization multipliers (Q31), one per output channel");
        string s = Array(index, "shift", shift, "requantization shifts (> 0 left, < 0 right)");
        string pLine = $"static const dnas_conv_params_t p = {{{I(sh)}, {I(sw)}, {I(dh)}, {I(dw)}, {I(padTop)}, {I(padLeft)}, {I(-inZp)}, {I(outZp)}, {I(amin)}, {I(amax)}, {I(dm)}}};";
        if (!depthwise && _g.IsPointwise(op) && inShape[1] == outShape[1] && inShape[2] == outShape[2]
            && FoldBias(biasData, filterData, inShape[3], -inZp) is { } folded)
        {
            string fb = Array(index, "folded_bias", folded, "bias + input offset x sum of the channel's weights (the offset term of a padding-free 1x1 convolution)");
            MaxPixelScratch = Math.Max(MaxPixelScratch, inShape[3]);
            bool descending = _g.PixelOrder.TryGetValue(index, out var d) && d;
            string overlap = _g.PixelOrder.ContainsKey(index) ? " /* output overlaps the dying input: safe in this pixel order */" : "";
            return
            [
                pLine,
                $"dnas_pointwise_conv(&p, {m}, {s}, {I((long)inShape[1] * inShape[2])}, {I(inShape[3])}, {A(input)}, {I(channels)}, {f}, {fb}, {A(output)}, {_name}_pixel_scratch, {(descending ? 1 : 0)});{overlap}",
            ];
        }
        string b = bias >= 0 ? Array(index, "bias", biasData, $"bias '{_g.Tensor(bias).Name}'") : "0";
        if (depthwise && dm != 1)
            return [pLine, $"dnas_depthwise_conv2d(&p, {m}, {s}, {Shape(input)}, {A(input)}, {I(kh)}, {I(kw)}, {f}, {b}, {Shape(output)}, {A(output)});"];
        MaxAccScratch = Math.Max(MaxAccScratch, channels);
        string kernel = depthwise ? "dnas_depthwise_conv2d_fast" : "dnas_conv2d_fast";
        return [pLine, $"{kernel}(&p, {m}, {s}, {Shape(input)}, {A(input)}, {I(kh)}, {I(kw)}, {f}, {b}, {Shape(output)}, {A(output)}, {_name}_acc_scratch);"];
    }

    /// <summary>Largest int32 accumulator row (output channels) a fast convolution needs.</summary>
    public int MaxAccScratch { get; private set; }
    /// <summary>Largest input pixel (channels) a pointwise convolution copies.</summary>
    public int MaxPixelScratch { get; private set; }

    /// <summary>bias[oc] + offset · Σ filter[oc][·], or null when a value leaves int32.</summary>
    private static int[]? FoldBias(int[] bias, sbyte[] filter, int depth, int offset)
    {
        var folded = new int[bias.Length];
        for (int oc = 0; oc < bias.Length; oc++)
        {
            long sum = 0;
            for (int ic = 0; ic < depth; ic++) sum += filter[oc * depth + ic];
            long v = bias[oc] + (long)offset * sum;
            if (v < int.MinValue || v > int.MaxValue) return null;
            folded[oc] = (int)v;
        }
        return folded;
    }

    private List<string> FullyConnected(int index, TfLiteOperator op)
    {
        int input = op.Inputs[0], weights = op.Inputs[1], bias = op.Inputs.Length > 2 ? op.Inputs[2] : -1, output = op.Outputs[0];
        var o = Options<FullyConnectedOptions>(op, index);
        var wShape = _g.Tensor(weights).Shape;
        if (wShape.Length != 2) throw _g.Error($"operator {index} (FULLY_CONNECTED): weights '{_g.Tensor(weights).Name}' must be 2-D [units, depth]");
        int units = wShape[0], depth = wShape[1];
        long elements = _g.Tensor(input).ElementCount;
        if (elements % depth != 0) throw _g.Error($"operator {index} (FULLY_CONNECTED): input of {elements} values is not a multiple of depth {depth}");
        var (inScale, inZp) = _g.Quant(input);
        var (outScale, outZp) = _g.Quant(output);
        var wq = _g.RequireQuantized(weights);
        if (wq.ZeroPoint.Any(z => z != 0)) throw _g.Error($"operator {index}: weights '{_g.Tensor(weights).Name}' have a non-zero zero point; int8 weights must be symmetric");
        var (mult, shift) = Requantization.PerChannel(inScale, wq.Scale, outScale, units);
        var (amin, amax) = Requantization.ActivationRange(o.Activation, outScale, outZp);
        string w = Array(index, "weights", _g.Int8Data(weights), $"FULLY_CONNECTED weights '{_g.Tensor(weights).Name}' [{units}, {depth}]");
        string b = bias >= 0 ? Array(index, "bias", _g.Int32Data(bias), $"bias '{_g.Tensor(bias).Name}'") : "0";
        string m = Array(index, "multiplier", mult, "requantization multipliers (Q31), one per unit");
        string s = Array(index, "shift", shift, "requantization shifts");
        return
        [
            $"static const dnas_fc_params_t p = {{{I(-inZp)}, {I(outZp)}, {I(amin)}, {I(amax)}}};",
            $"dnas_fully_connected(&p, {m}, {s}, {I(elements / depth)}, {I(depth)}, {A(input)}, {I(units)}, {w}, {b}, {A(output)});",
        ];
    }

    private List<string> AddOp(TfLiteOperator op)
    {
        int a = op.Inputs[0], b = op.Inputs[1], output = op.Outputs[0];
        if (!_g.Tensor(a).Shape.SequenceEqual(_g.Tensor(b).Shape) || !_g.Tensor(a).Shape.SequenceEqual(_g.Tensor(output).Shape))
            throw _g.Error($"ADD of '{_g.Tensor(a).Name}' and '{_g.Tensor(b).Name}': broadcasting is not supported (shapes must be equal)");
        if (!_g.IsActivation(a) || !_g.IsActivation(b)) throw _g.Error($"ADD with a constant operand ('{_g.Tensor(a).Name}', '{_g.Tensor(b).Name}') is not supported");
        var act = (op.Options as AddOptions)?.Activation ?? TfLiteActivation.None;
        var (s1, z1) = _g.Quant(a);
        var (s2, z2) = _g.Quant(b);
        var (so, zo) = _g.Quant(output);
        var (left, in1, in2, outM) = Requantization.Add(s1, s2, so);
        var (amin, amax) = Requantization.ActivationRange(act, so, zo);
        return
        [
            $"static const dnas_add_params_t p = {{{I(left)}, {I(-z1)}, {I(-z2)}, {I(in1.M)}, {I(in2.M)}, {I(in1.S)}, {I(in2.S)}, {I(outM.M)}, {I(outM.S)}, {I(zo)}, {I(amin)}, {I(amax)}}};",
            $"dnas_add(&p, {I(_g.Tensor(output).ElementCount)}, {A(a)}, {A(b)}, {A(output)});",
        ];
    }

    private List<string> Pool(TfLiteOperator op, bool max)
    {
        int input = op.Inputs[0], output = op.Outputs[0];
        var o = op.Options as Pool2DOptions ?? throw _g.Error($"pooling into '{_g.Tensor(output).Name}' has no Pool2DOptions");
        var inShape = _g.Tensor(input).Shape;
        var (_, padTop) = Requantization.Padding(o.Padding, inShape[1], o.FilterH, o.StrideH, 1);
        var (_, padLeft) = Requantization.Padding(o.Padding, inShape[2], o.FilterW, o.StrideW, 1);
        var (inScale, inZp) = _g.Quant(input);
        var (outScale, outZp) = _g.Quant(output);
        if (inZp != outZp || Math.Abs(inScale - outScale) > 1e-6)
            throw _g.Error($"pooling '{_g.Tensor(input).Name}' -> '{_g.Tensor(output).Name}' changes quantization (scale {inScale} -> {outScale}, zero point {inZp} -> {outZp}); TFLite requires them equal");
        var (amin, amax) = Requantization.ActivationRange(o.Activation, outScale, outZp);
        return
        [
            $"static const dnas_pool_params_t p = {{{I(o.StrideH)}, {I(o.StrideW)}, {I(o.FilterH)}, {I(o.FilterW)}, {I(padTop)}, {I(padLeft)}, {I(amin)}, {I(amax)}}};",
            $"{(max ? "dnas_max_pool" : "dnas_average_pool")}(&p, {Shape(input)}, {A(input)}, {Shape(output)}, {A(output)});",
        ];
    }

    private List<string> Mean(TfLiteOperator op)
    {
        int input = op.Inputs[0], axes = op.Inputs[1], output = op.Outputs[0];
        var axis = _g.Int32Data(axes).Order().ToArray();
        if (_g.Tensor(input).Shape.Length != 4 || !axis.SequenceEqual([1, 2]))
            throw _g.Error($"MEAN of '{_g.Tensor(input).Name}' over axes [{string.Join(", ", axis)}]: only the mean over height and width of a 4-D tensor is supported");
        var (inScale, inZp) = _g.Quant(input);
        var (outScale, outZp) = _g.Quant(output);
        var (m, s) = Requantization.QuantizeMultiplier((double)inScale / outScale);
        return
        [
            $"static const dnas_mean_params_t p = {{{I(inZp)}, {I(outZp)}, {I(m)}, {I(s)}, -128, 127}};",
            $"dnas_mean_hw(&p, {Shape(input)}, {A(input)}, {A(output)});",
        ];
    }

    private List<string> Softmax(TfLiteOperator op)
    {
        int input = op.Inputs[0], output = op.Outputs[0];
        var (inScale, _) = _g.Quant(input);
        var (outScale, outZp) = _g.Quant(output);
        if (outScale != 1f / 256 || outZp != -128)
            throw _g.Error($"SOFTMAX output '{_g.Tensor(output).Name}' has scale {outScale} and zero point {outZp}; int8 softmax needs 1/256 and -128");
        double beta = (op.Options as SoftmaxOptions)?.Beta ?? 1.0;
        var (m, shift, diffMin) = Requantization.Softmax(beta, inScale);
        var shape = _g.Tensor(input).Shape;
        int depth = shape[^1];
        return
        [
            $"static const dnas_softmax_params_t p = {{{I(m)}, {I(shift)}, {I(diffMin)}}};",
            $"dnas_softmax(&p, {I(_g.Tensor(input).ElementCount / depth)}, {I(depth)}, {A(input)}, {A(output)});",
        ];
    }

    private List<string> Pad(TfLiteOperator op)
    {
        int input = op.Inputs[0], paddings = op.Inputs[1], output = op.Outputs[0];
        var p = _g.Int32Data(paddings);
        if (_g.Tensor(input).Shape.Length != 4 || p.Length != 8 || p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0)
            throw _g.Error($"PAD of '{_g.Tensor(input).Name}' with paddings [{string.Join(", ", p)}]: only height/width padding of a 4-D tensor is supported");
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) throw _g.Error("PADV2 (a constant pad value) is not supported");
        var (_, zp) = _g.Quant(output);
        return [$"dnas_pad({Shape(input)}, {A(input)}, {I(p[2])}, {I(p[4])}, {Shape(output)}, {I(zp)}, {A(output)});"];
    }

    private List<string> Reshape(TfLiteOperator op)
    {
        int input = op.Inputs[0], output = op.Outputs[0];
        return _g.Offset(input) == _g.Offset(output)
            ? ["/* in place: the data is already where the reshaped tensor lives */"]
            : [$"dnas_copy({I(_g.Tensor(output).ElementCount)}, {A(input)}, {A(output)});"];
    }
}
