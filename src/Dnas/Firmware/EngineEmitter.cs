using System.Globalization;
using Dnas.Int8;
using Dnas.Int8.Kernels;
using Dnas.TfLite;

namespace Dnas.Firmware;

/// <summary>One constant array of the generated engine.</summary>
public sealed record CArray(string CName, string CType, int Count, string Values, string Comment, long Bytes);

/// <summary>One layer of the generated engine: a comment and the C statements of its call.</summary>
public sealed record CCall(string Comment, IReadOnlyList<string> Lines);

/// <summary>Turns each operator of a <see cref="ModelGraph"/> into a C kernel call. The
/// parameters are not recomputed here: they are read from the C# <see cref="Int8Interpreter"/>'s
/// prepared kernels (TFLite-style Prepare: multipliers, shifts, offsets, activation ranges,
/// padding, softmax scaling), so the C runs exactly the arithmetic of the interpreter's Eval.
/// Tensors live at the offsets of the engine's own arena plan (<see cref="ModelGraph.Offset"/>).</summary>
internal sealed class EngineEmitter
{
    private readonly ModelGraph _g;
    private readonly string _name;
    private readonly List<CArray> _arrays = [];
    private readonly List<CCall> _calls = [];

    public IReadOnlyList<CArray> Arrays => _arrays;
    public IReadOnlyList<CCall> Calls => _calls;
    public long ConstantBytes => _arrays.Sum(a => a.Bytes);
    /// <summary>Largest int32 accumulator row (output channels) a fast convolution needs; 0 if none.</summary>
    public int MaxAccScratch { get; private set; }
    /// <summary>Largest input pixel (channels) a pointwise convolution copies; 0 if none.</summary>
    public int MaxPixelScratch { get; private set; }

    public EngineEmitter(ModelGraph graph, string name)
    {
        _g = graph;
        _name = name;
        Int8Interpreter prepared;
        try { prepared = new Int8Interpreter(graph.Model); }
        catch (Int8ModelException e) { throw graph.Error(e.Message); }
        var ops = graph.Model.SubGraph.Operators;
        for (int i = 0; i < ops.Count; i++)
        {
            string comment = $"op {i}: {TfLiteNames.Op(graph.Model.CodeOf(ops[i]))} -> '{graph.Tensor(ops[i].Outputs[0]).Name}' {string.Join("x", graph.Tensor(ops[i].Outputs[0]).Shape)}";
            _calls.Add(new CCall(comment, Emit(i, ops[i], prepared.Kernels[i])));
        }
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private string At(int tensor) => $"a + {I(_g.Offset(tensor))}";

    private static string Shape(int h, int w, int c) => $"(dnas_shape_t){{{I(h)}, {I(w)}, {I(c)}}}";

    private string Array<T>(int op, string what, T[] values, string comment) where T : IFormattable
    {
        var (type, size) = typeof(T) == typeof(sbyte) ? ("int8_t", 1) : ("int32_t", 4);
        string cname = $"{_name}_op{op}_{what}";
        _arrays.Add(new CArray(cname, type, values.Length, CArrays.Values(values), comment, (long)values.Length * size));
        return cname;
    }

    private FirmwareException Unsupported(int op, string why) => _g.Error($"operator {op}: {why}");

    private List<string> Emit(int i, TfLiteOperator op, OpKernel kernel)
    {
        int input = op.Inputs[0], output = op.Outputs[0];
        switch (kernel)
        {
            case Int8ConvKernel k:
                if (k.Batches != 1) throw Unsupported(i, $"CONV_2D with batch {k.Batches}; the engine runs batch 1");
                return Convolution(i, op, k.W, k.InC, k.OutC, 1, k.InputOffset, k.OutputOffset, k.ActMin, k.ActMax, k.Filter, k.Bias, k.Multipliers, k.Shifts, false);
            case Int8DepthwiseKernel k:
                if (k.Batches != 1) throw Unsupported(i, $"DEPTHWISE_CONV_2D with batch {k.Batches}; the engine runs batch 1");
                return Convolution(i, op, k.W, k.InC, k.OutC, k.DepthMultiplier, k.InputOffset, k.OutputOffset, k.ActMin, k.ActMax, k.Filter, k.Bias, k.Multipliers, k.Shifts, true);
            case Int8FullyConnectedKernel k:
            {
                string w = Array(i, "weights", k.Filter, $"FULLY_CONNECTED weights '{_g.Tensor(op.Inputs[1]).Name}' [{k.OutDepth}, {k.InDepth}]");
                string b = k.Bias is null ? "0" : Array(i, "bias", k.Bias, $"bias '{_g.Tensor(op.Inputs[2]).Name}'");
                string m = Array(i, "multiplier", k.Multipliers, "requantization multipliers (Q31), one per unit");
                string s = Array(i, "shift", k.Shifts, "requantization shifts");
                return
                [
                    $"static const dnas_fc_params_t p = {{{I(k.InputOffset)}, {I(k.FilterOffset)}, {I(k.OutputOffset)}, {I(k.ActMin)}, {I(k.ActMax)}}};",
                    $"dnas_fully_connected(&p, {m}, {s}, {I(k.Batches)}, {I(k.InDepth)}, {At(input)}, {I(k.OutDepth)}, {w}, {b}, {At(output)});",
                ];
            }
            case Int8AddKernel k:
                if (!_g.IsActivation(op.Inputs[1])) throw Unsupported(i, $"ADD with the constant operand '{_g.Tensor(op.Inputs[1]).Name}' is not supported");
                return
                [
                    $"static const dnas_add_params_t p = {{{I(Int8AddKernel.LeftShift)}, {I(k.Input1Offset)}, {I(k.Input2Offset)}, {I(k.Input1Multiplier)}, {I(k.Input2Multiplier)}, " +
                    $"{I(k.Input1Shift)}, {I(k.Input2Shift)}, {I(k.OutputMultiplier)}, {I(k.OutputShift)}, {I(k.OutputOffset)}, {I(k.ActMin)}, {I(k.ActMax)}}};",
                    $"dnas_add(&p, {I(k.Count)}, {At(op.Inputs[0])}, {At(op.Inputs[1])}, {At(output)});",
                ];
            case PoolKernel k when !k.Float:
            {
                if (k.Batches != 1) throw Unsupported(i, $"pooling with batch {k.Batches}; the engine runs batch 1");
                var w = k.W;
                return
                [
                    $"static const dnas_pool_params_t p = {{{I(w.StrideH)}, {I(w.StrideW)}, {I(w.KH)}, {I(w.KW)}, {I(w.PadH)}, {I(w.PadW)}, {I(k.ActMin)}, {I(k.ActMax)}}};",
                    $"{(k.Max ? "dnas_max_pool" : "dnas_average_pool")}(&p, {Shape(w.InH, w.InW, k.Channels)}, {At(input)}, {Shape(w.OutH, w.OutW, k.Channels)}, {At(output)});",
                ];
            }
            case MeanKernel k when !k.Float:
                if (k.Batches != 1) throw Unsupported(i, $"MEAN with batch {k.Batches}; the engine runs batch 1");
                return
                [
                    $"static const dnas_mean_params_t p = {{{I(k.InputZeroPoint)}, {I(k.OutputZeroPoint)}, {I(k.Multiplier)}, {I(k.Shift)}}};",
                    $"dnas_mean_hw(&p, {Shape(k.H, k.Wd, k.Channels)}, {At(input)}, {At(output)});",
                ];
            case SoftmaxKernel k when !k.Float:
                return
                [
                    $"static const dnas_softmax_params_t p = {{{I(k.InputMultiplier)}, {I(k.InputLeftShift)}, {I(k.DiffMin)}}};",
                    $"dnas_softmax(&p, {I(k.Rows)}, {I(k.Depth)}, {At(input)}, {At(output)});",
                ];
            case PadKernel k when k.ElementSize == 1:
                if (k.InShape[0] != 1 || k.OutShape[0] != 1 || k.InShape[3] != k.OutShape[3])
                    throw Unsupported(i, "PAD of the batch or channel dimension is not supported (only height and width)");
                return [$"dnas_pad({Shape(k.InShape[1], k.InShape[2], k.InShape[3])}, {At(input)}, {I(k.Before[1])}, {I(k.Before[2])}, " +
                        $"{Shape(k.OutShape[1], k.OutShape[2], k.OutShape[3])}, {I((sbyte)(byte)k.PadByte)}, {At(output)});"];
            case ReshapeKernel k:
                return _g.Offset(input) == _g.Offset(output)
                    ? ["/* in place: the data is already where the reshaped tensor lives */"]
                    : [$"dnas_copy({I(k.Bytes)}, {At(input)}, {At(output)});"];
            default:
                throw Unsupported(i, $"{TfLiteNames.Op(_g.Model.CodeOf(op))} on these types is not supported by the C engine (it runs int8 models)");
        }
    }

    private List<string> Convolution(int index, TfLiteOperator op, Window w, int inC, int outC, int dm, int inOffset, int outOffset,
        int actMin, int actMax, sbyte[] filterData, int[]? biasData, int[] mult, int[] shift, bool depthwise)
    {
        int input = op.Inputs[0], output = op.Outputs[0];
        string what = depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
        string f = Array(index, "filter", filterData, $"{what} filter '{_g.Tensor(op.Inputs[1]).Name}' [{string.Join(", ", _g.Tensor(op.Inputs[1]).Shape)}]");
        string m = Array(index, "multiplier", mult, "requantization multipliers (Q31), one per output channel");
        string s = Array(index, "shift", shift, "requantization shifts (> 0 left, < 0 right)");
        string p = $"static const dnas_conv_params_t p = {{{I(w.StrideH)}, {I(w.StrideW)}, {I(w.DilationH)}, {I(w.DilationW)}, {I(w.PadH)}, {I(w.PadW)}, " +
                   $"{I(inOffset)}, {I(outOffset)}, {I(actMin)}, {I(actMax)}, {I(dm)}}};";
        string inShape = Shape(w.InH, w.InW, inC), outShape = Shape(w.OutH, w.OutW, outC);
        if (!depthwise && _g.IsPointwise(op) && w.InH == w.OutH && w.InW == w.OutW
            && FoldBias(biasData ?? new int[outC], filterData, inC, inOffset) is { } folded)
        {
            string fb = Array(index, "folded_bias", folded, "bias + input offset x the channel's weight sum (exact for a padding-free 1x1 convolution)");
            MaxPixelScratch = Math.Max(MaxPixelScratch, inC);
            bool overlapping = _g.PixelOrder.TryGetValue(index, out bool descending);
            string note = overlapping ? " /* writes over its dying input: safe in this pixel order */" : "";
            return
            [
                p,
                $"dnas_pointwise_conv(&p, {m}, {s}, {I((long)w.InH * w.InW)}, {I(inC)}, {At(input)}, {I(outC)}, {f}, {fb}, {At(output)}, " +
                $"{_name}_pixel_scratch, {(overlapping && descending ? 1 : 0)});{note}",
            ];
        }
        string b = biasData is null ? "0" : Array(index, "bias", biasData, $"bias '{_g.Tensor(op.Inputs[2]).Name}'");
        if (depthwise && dm != 1)
            return [p, $"dnas_depthwise_conv2d(&p, {m}, {s}, {inShape}, {At(input)}, {I(w.KH)}, {I(w.KW)}, {f}, {b}, {outShape}, {At(output)});"];
        MaxAccScratch = Math.Max(MaxAccScratch, outC);
        string kernel = depthwise ? "dnas_depthwise_conv2d_fast" : "dnas_conv2d_fast";
        return [p, $"{kernel}(&p, {m}, {s}, {inShape}, {At(input)}, {I(w.KH)}, {I(w.KW)}, {f}, {b}, {outShape}, {At(output)}, {_name}_acc_scratch);"];
    }

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
}
