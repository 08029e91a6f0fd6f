using Dnas.Search;
using Dnas.Data.Preprocess;

namespace Dnas.Tests.Search;

/// <summary>A bi-objective test problem over genomes with a known front (ZDT1-like). A capacity
/// level L counts how far resolution, width, depths and active expansions are above their
/// smallest choices; cost c = L / L_max; accuracy = √c · (1 − ½·penalty), where the penalty is
/// the mean of (share of active kernels that are not 5) and (gray input). The true front is
/// therefore {(c, √c)} for every level, reached with all kernels 5 and RGB input.</summary>
internal sealed class SyntheticProblem : ICandidateEvaluator
{
    public static readonly SearchSpace Space = new(
        [32, 64, 96], [ColorMode.Gray, ColorMode.Rgb], [0.35, 0.5, 0.75, 1.0],
        [new(1, 1), new(1, 2), new(2, 3), new(2, 4), new(2, 3), new(2, 3), new(1, 1)],
        [3, 4, 6], [3, 5, 7]);

    public const double SramScale = 1000;

    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    public int Calls { get; private set; }
    public IReadOnlyDictionary<string, int> CallsByKey => _calls;
    public TimeSpan Delay { get; init; }

    public static int MaxLevel(SearchSpace sp)
    {
        int l = sp.Resolutions.Count - 1 + sp.Widths.Count - 1;
        for (int s = 0; s < SearchSpace.StageCount; s++)
            l += sp.Depths[s].Max - sp.Depths[s].Min + (s == 0 ? 0 : sp.Depths[s].Max * (sp.Expansions.Count - 1));
        return l;
    }

    public static int Level(Genome g)
    {
        var sp = g.Space;
        int l = IndexOf(sp.Resolutions, g.Resolution) + IndexOf(sp.Widths, g.Width);
        for (int s = 0; s < SearchSpace.StageCount; s++)
        {
            l += g.Depths[s] - sp.Depths[s].Min;
            if (s > 0) foreach (int e in g.StageExpansions(s)) l += IndexOf(sp.Expansions, e);
        }
        return l;
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, T v)
    {
        for (int i = 0; i < list.Count; i++) if (EqualityComparer<T>.Default.Equals(list[i], v)) return i;
        throw new ArgumentException($"{v} not in list");
    }

    public static CandidateScore ScoreOf(Genome g)
    {
        double c = (double)Level(g) / MaxLevel(g.Space);
        var active = g.ActiveSlots().ToArray();
        double badKernels = active.Count(i => g.Kernels[i] != 5) / (double)active.Length;
        double penalty = (badKernels + (g.Color == ColorMode.Gray ? 1 : 0)) / 2;
        double acc = Math.Sqrt(c) * (1 - 0.5 * penalty);
        return new CandidateScore(acc, [new("sram", c * SramScale), new("flash", 2 * c * SramScale + 1)]);
    }

    public CandidateScore Evaluate(Genome genome, CancellationToken cancellationToken)
    {
        Calls++;
        _calls[genome.Key] = _calls.GetValueOrDefault(genome.Key) + 1;
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        return ScoreOf(genome);
    }

    /// <summary>Inverted generational distance from the true front to the found points, in (cost ∈ [0,1], accuracy) space.</summary>
    public static double Igd(IEnumerable<EvaluatedCandidate> found, SearchSpace sp, double maxCost = 1)
    {
        var pts = found.Select(f => (C: f.Score.Cost("sram") / SramScale, A: f.Accuracy)).ToArray();
        int max = MaxLevel(sp);
        double sum = 0; int count = 0;
        for (int l = 0; l <= max; l++)
        {
            double c = (double)l / max;
            if (c > maxCost + 1e-12) break;
            double a = Math.Sqrt(c);
            sum += pts.Min(p => Math.Sqrt((p.C - c) * (p.C - c) + (p.A - a) * (p.A - a)));
            count++;
        }
        return sum / count;
    }
}
