namespace Dnas.Search;

/// <summary>How well one ranking predicts another: used to check that supernet accuracy
/// orders candidates the way their accuracy after fine-tuning does.</summary>
public static class RankCorrelation
{
    /// <summary>Kendall's tau-b of paired samples: (concordant − discordant) pairs over
    /// √((n₀ − ties in x)(n₀ − ties in y)), n₀ = n(n−1)/2. 1 = same order, −1 = reversed;
    /// NaN when either side is constant.</summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} values paired with {y.Count}");
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0, pairs = 0;
        for (int i = 0; i < x.Count; i++)
            for (int j = i + 1; j < x.Count; j++)
            {
                pairs++;
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiesX++;
                if (sy == 0) tiesY++;
                if (sx * sy > 0) concordant++;
                else if (sx * sy < 0) discordant++;
            }
        double denominator = Math.Sqrt((double)(pairs - tiesX) * (pairs - tiesY));
        return denominator == 0 ? double.NaN : (concordant - discordant) / denominator;
    }
}
