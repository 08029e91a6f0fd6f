using Dnas.Int8;
using Dnas.TfLite;

namespace Dnas.Quantize;

/// <summary>An exported int8 model run by the bit-exact <see cref="Int8Interpreter"/>, as an
/// <see cref="IInt8Classifier"/>. One per thread (the interpreter is not thread-safe).</summary>
public sealed class InterpreterClassifier : IInt8Classifier
{
    private readonly Int8Interpreter _interpreter;

    public QuantParams Input { get; }
    public QuantParams Output { get; }
    /// <summary>The arena the interpreter planned for the model (TFLite Micro's greedy planner, no in-place reuse).</summary>
    public long ArenaBytes => _interpreter.ArenaBytes;

    public InterpreterClassifier(TfLiteModel model)
    {
        _interpreter = new Int8Interpreter(model);
        Input = PerTensor(_interpreter.InputTensor(), "input");
        Output = PerTensor(_interpreter.OutputTensor(), "output");
    }

    private static QuantParams PerTensor(TfLiteTensor t, string role)
    {
        if (t.Type != TfLiteType.Int8 || t.Quantization is not { Scale.Length: 1, ZeroPoint.Length: 1 } q)
            throw new Int8ModelException($"{role} tensor '{t.Name}' must be int8 with one scale and zero point to be scored as an int8 classifier");
        return new QuantParams(q.Scale[0], (int)q.ZeroPoint[0]);
    }

    public void Invoke(ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        input.CopyTo(_interpreter.InputInt8());
        _interpreter.Invoke();
        _interpreter.OutputInt8().CopyTo(output);
    }
}
