namespace Dnas.Search;

/// <summary>What an evaluator says about one genome: accuracy (maximised), named costs
/// (e.g. <c>sram</c>, <c>flash</c>, <c>latency_ms</c>; minimised when chosen as objectives,
/// bounded when given limits) and its own hard-constraint violation (0 = feasible; larger is
/// worse). All values finite; costs are kept in ordinal name order so logs are stable.</summary>
public sealed class CandidateScore
{
    public double Accuracy { get; }
    public IReadOnlyDictionary<string, double> Costs { get; }
    public double Violation { get; }

    public CandidateScore(double accuracy, IEnumerable<KeyValuePair<string, double>>? costs = null, double violation = 0)
    {
        if (!double.IsFinite(accuracy)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "accuracy must be finite");
        if (!double.IsFinite(violation) || violation < 0) throw new ArgumentOutOfRangeException(nameof(violation), violation, "violation must be finite and >= 0");
        var dict = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in (costs ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("cost names must not be empty", nameof(costs));
            if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(costs), value, $"cost '{name}' must be finite");
            if (!dict.TryAdd(name, value)) throw new ArgumentException($"cost '{name}' given twice", nameof(costs));
        }
        Accuracy = accuracy; Costs = dict; Violation = violation;
    }

    public double Cost(string name) => Costs.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"the evaluator gave no cost '{name}' (it gave: {string.Join(", ", Costs.Keys)})");

    public override string ToString() =>
        $"acc={Accuracy:G6} {string.Join(' ', Costs.Select(kv => $"{kv.Key}={kv.Value:G6}"))} viol={Violation:G4}";
}

/// <summary>Scores genomes. The supernet (or a synthetic function in tests) plugs in here.
/// Must be deterministic for the search to be.</summary>
public interface ICandidateEvaluator
{
    CandidateScore Evaluate(Genome genome, CancellationToken cancellationToken);
}

/// <summary>An evaluator from a delegate.</summary>
public sealed class DelegateEvaluator(Func<Genome, CandidateScore> evaluate) : ICandidateEvaluator
{
    public CandidateScore Evaluate(Genome genome, CancellationToken cancellationToken) => evaluate(genome);
}

/// <summary>Which costs are objectives and which are hard limits.</summary>
public sealed record SearchObjectives
{
    /// <summary>Costs minimised alongside maximised accuracy (at least one).</summary>
    public IReadOnlyList<string> Costs { get; init; } = ["sram"];

    /// <summary>Hard upper limits on named costs; exceeding one adds (cost − limit) / limit to the violation.</summary>
    public IReadOnlyDictionary<string, double> Limits { get; init; } = new Dictionary<string, double>();

    public void Validate()
    {
        if (Costs.Count == 0) throw new ArgumentException("search objectives: choose at least one cost to minimise");
        if (Costs.Distinct(StringComparer.Ordinal).Count() != Costs.Count) throw new ArgumentException("search objectives: a cost is listed twice");
        foreach (var (name, limit) in Limits)
            if (!(limit > 0) || !double.IsFinite(limit)) throw new ArgumentException($"search objectives: limit on '{name}' must be positive, got {limit}");
    }

    /// <summary>The minimisation vector [−accuracy, cost₁, …].</summary>
    public double[] ObjectiveVector(CandidateScore score)
    {
        var v = new double[Costs.Count + 1];
        v[0] = -score.Accuracy;
        for (int i = 0; i < Costs.Count; i++) v[i + 1] = score.Cost(Costs[i]);
        return v;
    }

    /// <summary>The evaluator's violation plus the relative excess over each limit.</summary>
    public double TotalViolation(CandidateScore score)
    {
        double v = score.Violation;
        foreach (var (name, limit) in Limits.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            double c = score.Cost(name);
            if (c > limit) v += (c - limit) / limit;
        }
        return v;
    }
}

/// <summary>A scored genome as the search sees it.</summary>
public sealed class EvaluatedCandidate
{
    public Genome Genome { get; }
    public CandidateScore Score { get; }
    /// <summary>Minimisation objectives: [−accuracy, chosen costs…].</summary>
    public IReadOnlyList<double> Objectives { get; }
    /// <summary>Total violation (evaluator's plus limits); 0 = feasible.</summary>
    public double Violation { get; }
    /// <summary>Generation in which it was first evaluated (0 = initial population; −1 = loaded from a previous run).</summary>
    public int Generation { get; }
    /// <summary>Position in the evaluation order (0-based, counting loaded candidates first).</summary>
    public int Index { get; }

    public bool Feasible => Violation == 0;
    public string Key => Genome.Key;
    public double Accuracy => Score.Accuracy;

    public EvaluatedCandidate(Genome genome, CandidateScore score, SearchObjectives objectives, int generation, int index)
    {
        Genome = genome; Score = score; Generation = generation; Index = index;
        Objectives = objectives.ObjectiveVector(score);
        Violation = objectives.TotalViolation(score);
    }

    public override string ToString() => $"{Key} {Score} gen={Generation}";
}
