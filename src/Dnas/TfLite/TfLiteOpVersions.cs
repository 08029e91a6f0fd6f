namespace Dnas.TfLite;

/// <summary>The operator version a writer must declare, from TFLITE.md (TFLite's op_version.cc
/// for the cases we emit): int8 kernels need a higher version than float ones.</summary>
public static class TfLiteOpVersions
{
    public static int For(TfLiteModel model, TfLiteOperator op) => For(model.CodeOf(op), op, model.SubGraph.Tensors);

    public static int For(int code, TfLiteOperator op, IReadOnlyList<TfLiteTensor> tensors)
    {
        TfLiteType input = op.Inputs.Length > 0 && op.Inputs[0] >= 0 ? tensors[op.Inputs[0]].Type : TfLiteType.Float32;
        bool int8 = input == TfLiteType.Int8;
        return (TfLiteOp)code switch
        {
            TfLiteOp.Conv2D or TfLiteOp.DepthwiseConv2D => int8 ? 3 : Dilated(op) ? 2 : 1,
            TfLiteOp.Add or TfLiteOp.AveragePool2D or TfLiteOp.MaxPool2D or TfLiteOp.Mean or TfLiteOp.Softmax
                or TfLiteOp.Pad or TfLiteOp.Transpose => int8 ? 2 : 1,
            TfLiteOp.FullyConnected =>
                op.Inputs.Length < 3 || op.Inputs[2] < 0 ? 6
                : op.Options is FullyConnectedOptions { KeepNumDims: true } ? 5
                : int8 ? 4 : 1,
            TfLiteOp.Dequantize => input == TfLiteType.Float16 ? 3 : int8 ? 2 : 1,
            _ => 1,
        };
    }

    private static bool Dilated(TfLiteOperator op) => op.Options switch
    {
        DepthwiseConv2DOptions d => d.DilationW != 1 || d.DilationH != 1,
        _ => false,
    };
}
