using Dnas.TfLite;

namespace Dnas.Tests.LiteRt;

/// <summary>Cuts models apart for isolating disagreements: one operator alone, or the prefix of a
/// model up to an operator (its output becomes the graph output).</summary>
internal static class SubModels
{
    /// <summary>Operators [0, count) of <paramref name="model"/>, output = the last one's output 0.</summary>
    public static TfLiteModel Prefix(TfLiteModel model, int count) => Extract(model, Enumerable.Range(0, count).ToList());

    /// <summary>Operator <paramref name="op"/> alone; its activation inputs become graph inputs.</summary>
    public static TfLiteModel SingleOp(TfLiteModel model, int op) => Extract(model, [op]);

    private static TfLiteModel Extract(TfLiteModel model, List<int> ops)
    {
        var g = model.SubGraph;
        var b = new TfLiteModelBuilder("extract");
        var map = new Dictionary<int, int>();
        var produced = new HashSet<int>(ops.SelectMany(o => g.Operators[o].Outputs));
        var inputs = new List<int>();
        int Map(int t)
        {
            if (t < 0) return -1;
            if (map.TryGetValue(t, out int m)) return m;
            var tensor = g.Tensors[t];
            var data = model.DataOf(tensor);
            var q = tensor.Quantization is { IsEmpty: false } tq
                ? new TfLiteQuantization(tq.Scale, tq.ZeroPoint, tensor.Shape.Length == 1 ? 0 : tq.QuantizedDimension)
                : null;
            m = map[t] = b.AddTensor(tensor.Name, tensor.Shape, tensor.Type, q, data.Span);
            if (data.IsEmpty && !produced.Contains(t)) inputs.Add(m);
            return m;
        }
        foreach (int o in ops)
        {
            var op = g.Operators[o];
            var inputsOfOp = op.Inputs.Select(Map).ToArray();
            b.AddOperator((TfLiteOp)model.CodeOf(op), inputsOfOp, op.Outputs.Select(Map).ToArray(), op.Options);
        }
        b.SetInputs([.. inputs]).SetOutputs(map[g.Operators[ops[^1]].Outputs[0]]);
        return b.Build();
    }
}
