using Dnas.Hardware;
using Dnas.TfLite;

namespace Dnas.Int8;

/// <summary>Where every activation tensor lives in the interpreter's arena. <see cref="Offsets"/>
/// has one entry per tensor of the subgraph: the byte offset, or -1 for constants and tensors no
/// operator touches.</summary>
public sealed record Int8MemoryPlan(IReadOnlyList<long> Offsets, long ArenaBytes, int Alignment)
{
    /// <summary>Plans the activation tensors of <paramref name="model"/> with the shared
    /// <see cref="ArenaPlanner"/> (TFLite Micro's greedy approach): lifetimes run over the execution
    /// order from the op producing a tensor (0 for graph inputs) to the last op reading it (the
    /// last op for graph outputs). No in-place aliasing: TFLite Micro does not alias either.</summary>
    public static Int8MemoryPlan Plan(TfLiteModel model, int alignment = ArenaPlanner.DefaultAlignment)
    {
        var g = model.SubGraph;
        int n = g.Tensors.Count, last = Math.Max(0, g.Operators.Count - 1);
        var first = Enumerable.Repeat(-1, n).ToArray();
        var end = Enumerable.Repeat(-1, n).ToArray();
        bool IsActivation(int t) => t >= 0 && model.DataOf(g.Tensors[t]).IsEmpty;
        foreach (int t in g.Inputs)
            if (IsActivation(t)) { first[t] = 0; end[t] = Math.Max(end[t], 0); }
        for (int o = 0; o < g.Operators.Count; o++)
        {
            var op = g.Operators[o];
            foreach (int t in op.Inputs)
            {
                if (!IsActivation(t)) continue;
                if (first[t] < 0)
                    throw new Int8ModelException($"operator {o} ({TfLiteNames.Op(model.CodeOf(op))}) reads tensor {t} '{g.Tensors[t].Name}', which has no data and is neither a graph input nor produced by an earlier operator");
                end[t] = Math.Max(end[t], o);
            }
            foreach (int t in op.Outputs)
                if (IsActivation(t))
                {
                    if (first[t] < 0) first[t] = o;
                    end[t] = Math.Max(end[t], o);
                }
        }
        foreach (int t in g.Outputs)
            if (IsActivation(t) && first[t] >= 0) end[t] = last;

        var planned = new List<PlannedTensor>();
        var index = new List<int>();
        for (int t = 0; t < n; t++)
        {
            if (first[t] < 0) continue;
            if (g.Tensors[t].Bytes > int.MaxValue)
                throw new Int8ModelException($"tensor {t} '{g.Tensors[t].Name}' of shape [{string.Join(",", g.Tensors[t].Shape)}] needs {g.Tensors[t].Bytes} bytes; more than an arena can hold");
            planned.Add(new PlannedTensor(g.Tensors[t].Name, g.Tensors[t].Bytes, first[t], end[t]));
            index.Add(t);
        }
        var plan = ArenaPlanner.Plan(planned, alignment);
        var offsets = Enumerable.Repeat(-1L, n).ToArray();
        for (int i = 0; i < index.Count; i++) offsets[index[i]] = plan.Offsets[i];
        return new Int8MemoryPlan(offsets, plan.ArenaBytes, alignment);
    }
}
