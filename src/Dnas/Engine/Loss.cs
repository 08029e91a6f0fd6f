namespace Dnas.Engine;

/// <summary>Classification losses with their gradients, averaged over the batch like
/// PyTorch's default reduction='mean'. Log-softmax is computed stably (max subtracted) in double.</summary>
public static class Loss
{
    // logits [N,K], labels [N] -> mean loss; dLogits [N,K] = (softmax - onehot) / N
    public static float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor dLogits)
    {
        int n = logits[0], k = logits[1];
        if (labels.Length != n) throw new ShapeMismatchException($"SoftmaxCrossEntropy: {n} logit rows but {labels.Length} labels");
        dLogits.Reshape2(n, k);
        var z = logits.Span; var g = dLogits.Span;
        double total = 0;
        for (int b = 0; b < n; b++)
        {
            int y = labels[b];
            if ((uint)y >= (uint)k) throw new ArgumentOutOfRangeException(nameof(labels), $"label {y} at row {b} is outside 0..{k - 1}");
            var row = z.Slice(b * k, k);
            double logSum = LogSumExp(row);
            total += logSum - row[y];
            for (int j = 0; j < k; j++) g[b * k + j] = (float)((Math.Exp(row[j] - logSum) - (j == y ? 1 : 0)) / n);
        }
        return (float)(total / n);
    }

    /// <summary>Distillation with soft targets (in-place distillation from the largest subnet):
    /// mean over rows of −Σ p_teacher · log softmax(student / T), times T².
    /// Its gradient equals that of KL(p_teacher ‖ p_student), which differs only by the
    /// teacher's entropy, a constant; <paramref name="kl"/> returns that KL value instead.</summary>
    public static float SoftTarget(Tensor student, Tensor teacher, Tensor dStudent, float temperature = 1f, bool kl = false)
    {
        if (!student.Shape.SequenceEqual(teacher.Shape)) throw new ShapeMismatchException("SoftTarget teacher", student.Shape, teacher.Shape);
        int n = student[0], k = student[1];
        dStudent.Reshape2(n, k);
        var s = student.Span; var t = teacher.Span; var g = dStudent.Span;
        double total = 0, T = temperature;
        Span<double> pt = k <= 512 ? stackalloc double[k] : new double[k];
        Span<double> ls = k <= 512 ? stackalloc double[k] : new double[k];
        for (int b = 0; b < n; b++)
        {
            double mt = double.NegativeInfinity, ms = double.NegativeInfinity;
            for (int j = 0; j < k; j++) { mt = Math.Max(mt, t[b * k + j] / T); ms = Math.Max(ms, s[b * k + j] / T); }
            double zt = 0, zs = 0;
            for (int j = 0; j < k; j++) { zt += Math.Exp(t[b * k + j] / T - mt); zs += Math.Exp(s[b * k + j] / T - ms); }
            double lzt = Math.Log(zt) + mt, lzs = Math.Log(zs) + ms;
            for (int j = 0; j < k; j++)
            {
                double logPt = t[b * k + j] / T - lzt;
                pt[j] = Math.Exp(logPt);
                ls[j] = s[b * k + j] / T - lzs;
                total -= pt[j] * ls[j] * T * T;
                if (kl) total += pt[j] * logPt * T * T;
            }
            // d/ds_j of T²·(−Σ p_t log softmax(s/T)) = T·(softmax(s/T)_j − p_t,j)
            for (int j = 0; j < k; j++) g[b * k + j] = (float)(T * (Math.Exp(ls[j]) - pt[j]) / n);
        }
        return (float)(total / n);
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        double m = double.NegativeInfinity;
        foreach (var v in row) m = Math.Max(m, v);
        double s = 0;
        foreach (var v in row) s += Math.Exp(v - m);
        return Math.Log(s) + m;
    }

    /// <summary>Number of rows whose arg-max equals the label.</summary>
    public static int Correct(Tensor logits, ReadOnlySpan<int> labels)
    {
        int n = logits[0], k = logits[1], correct = 0;
        var z = logits.Span;
        for (int b = 0; b < n; b++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (z[b * k + j] > z[b * k + best]) best = j;
            if (best == labels[b]) correct++;
        }
        return correct;
    }
}
