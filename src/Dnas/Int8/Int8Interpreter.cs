using System.Runtime.InteropServices;
using Dnas.Int8.Kernels;
using Dnas.TfLite;

namespace Dnas.Int8;

/// <summary>Runs a single-subgraph .tflite model with TFLite's reference-kernel semantics,
/// bit-exact for int8 (see README). Construction is Prepare: the memory plan, then one kernel per
/// operator with every multiplier, shift, padding and shape precomputed; <see cref="Invoke"/> is
/// Eval over one arena and allocates nothing. Not thread-safe: one interpreter per thread.</summary>
public sealed class Int8Interpreter
{
    private readonly byte[] _arena;
    internal readonly OpKernel[] Kernels;

    public TfLiteModel Model { get; }
    public Int8MemoryPlan MemoryPlan { get; }
    public long ArenaBytes => MemoryPlan.ArenaBytes;

    /// <exception cref="Int8ModelException">An operator or type the interpreter does not support,
    /// or inconsistent shapes; the message names the operator index and code.</exception>
    public Int8Interpreter(TfLiteModel model)
    {
        Model = model;
        if (model.SubGraphCount != 1)
            throw new Int8ModelException($"the model has {model.SubGraphCount} subgraphs; only single-subgraph models run");
        MemoryPlan = PlanMemory(model);
        _arena = new byte[MemoryPlan.ArenaBytes];
        var ops = model.SubGraph.Operators;
        Kernels = new OpKernel[ops.Count];
        for (int i = 0; i < ops.Count; i++)
        {
            var c = new KernelContext(model, MemoryPlan, i);
            var kernel = Prepare(c);
            kernel.OpIndex = i;
            kernel.Code = c.Code;
            Kernels[i] = kernel;
        }
        foreach (int t in model.SubGraph.Inputs.Concat(model.SubGraph.Outputs))
            if (MemoryPlan.Offsets[t] < 0)
                throw new Int8ModelException($"graph input/output tensor {t} '{model.Tensor(t).Name}' has no place in the arena");
    }

    /// <summary>The arena plan for the model's activations (offsets per tensor and total size).</summary>
    public static Int8MemoryPlan PlanMemory(TfLiteModel model, int alignment = Dnas.Hardware.ArenaPlanner.DefaultAlignment) =>
        Int8MemoryPlan.Plan(model, alignment);

    private static OpKernel Prepare(KernelContext c)
    {
        if (c.Op.Outputs.Length == 0) throw c.Fail("has no output");
        var custom = c.Model.OperatorCodes[c.Op.OpcodeIndex].CustomCode;
        if (custom != null) throw c.Fail($"custom operator '{custom}' is not supported");
        bool isFloat = c.HasInput(0) && c.Input(0).Type == TfLiteType.Float32;
        return (TfLiteOp)c.Code switch
        {
            TfLiteOp.Conv2D => isFloat ? FloatConvKernel.Prepare(c, depthwise: false) : Int8ConvKernel.Prepare(c),
            TfLiteOp.DepthwiseConv2D => isFloat ? FloatConvKernel.Prepare(c, depthwise: true) : Int8DepthwiseKernel.Prepare(c),
            TfLiteOp.FullyConnected => isFloat ? FloatFullyConnectedKernel.Prepare(c) : Int8FullyConnectedKernel.Prepare(c),
            TfLiteOp.Add => isFloat ? FloatAddKernel.Prepare(c) : Int8AddKernel.Prepare(c),
            TfLiteOp.AveragePool2D => PoolKernel.Prepare(c, max: false),
            TfLiteOp.MaxPool2D => PoolKernel.Prepare(c, max: true),
            TfLiteOp.Mean => MeanKernel.Prepare(c),
            TfLiteOp.Softmax => SoftmaxKernel.Prepare(c),
            TfLiteOp.Reshape => ReshapeKernel.Prepare(c),
            TfLiteOp.Pad => PadKernel.Prepare(c),
            TfLiteOp.Quantize => QuantizeKernel.Prepare(c),
            TfLiteOp.Dequantize => DequantizeKernel.Prepare(c),
            _ => throw c.Fail("operator not supported by the int8 interpreter (supported: CONV_2D, DEPTHWISE_CONV_2D, ADD, " +
                              "AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, FULLY_CONNECTED, SOFTMAX, RESHAPE, PAD, QUANTIZE, DEQUANTIZE)"),
        };
    }

    public TfLiteTensor InputTensor(int index = 0) => Model.Tensor(Model.SubGraph.Inputs[index]);
    public TfLiteTensor OutputTensor(int index = 0) => Model.Tensor(Model.SubGraph.Outputs[index]);

    private Span<byte> TensorBytes(int tensor) =>
        _arena.AsSpan((int)MemoryPlan.Offsets[tensor], (int)Model.Tensor(tensor).Bytes);

    private Span<byte> Typed(int tensor, TfLiteType type, string role)
    {
        var t = Model.Tensor(tensor);
        if (t.Type != type) throw new InvalidOperationException($"{role} '{t.Name}' is {TfLiteNames.Type(t.Type)}, not {TfLiteNames.Type(type)}");
        return TensorBytes(tensor);
    }

    /// <summary>The input tensor's storage, to fill before <see cref="Invoke"/>.</summary>
    public Span<sbyte> InputInt8(int index = 0) => MemoryMarshal.Cast<byte, sbyte>(Typed(Model.SubGraph.Inputs[index], TfLiteType.Int8, "input"));
    public Span<float> InputFloat(int index = 0) => MemoryMarshal.Cast<byte, float>(Typed(Model.SubGraph.Inputs[index], TfLiteType.Float32, "input"));
    public ReadOnlySpan<sbyte> OutputInt8(int index = 0) => MemoryMarshal.Cast<byte, sbyte>(Typed(Model.SubGraph.Outputs[index], TfLiteType.Int8, "output"));
    public ReadOnlySpan<float> OutputFloat(int index = 0) => MemoryMarshal.Cast<byte, float>(Typed(Model.SubGraph.Outputs[index], TfLiteType.Float32, "output"));

    /// <summary>Runs every operator in order.</summary>
    public void Invoke()
    {
        var arena = _arena.AsSpan();
        foreach (var kernel in Kernels) kernel.Eval(arena);
    }

    /// <summary>Convenience: copies <paramref name="input"/> in, runs, returns a copy of output 0.</summary>
    public sbyte[] Run(ReadOnlySpan<sbyte> input)
    {
        input.CopyTo(InputInt8());
        Invoke();
        return OutputInt8().ToArray();
    }
}
