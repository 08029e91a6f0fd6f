namespace Dnas.TfLite;

/// <summary>Repairs for real files that the writer would otherwise refuse.</summary>
public static class TfLiteFixes
{
    /// <summary>Sets quantized_dimension to 0 on every 1-D quantized tensor that says otherwise (a
    /// 1-D tensor has only dimension 0; person_detect.tflite stores 3 on its depthwise biases,
    /// which TFLM tolerates and LiteRT / Arm NN reject). Returns how many tensors changed.</summary>
    public static int FixBiasQuantizedDimension(TfLiteModel model)
    {
        int changed = 0;
        foreach (var t in model.SubGraph.Tensors)
            if (t.Shape.Length == 1 && t.Quantization is { IsEmpty: false, QuantizedDimension: not 0 } q)
            {
                q.QuantizedDimension = 0;
                changed++;
            }
        return changed;
    }
}
