using System.Diagnostics;
using Dnas.Engine;

namespace Dnas.Search;

/// <summary>Settings of an NSGA-II run. The budget is whichever of generations, evaluations and
/// the deadline runs out first.</summary>
public sealed record Nsga2Options
{
    public int PopulationSize { get; init; } = 32;
    /// <summary>Generations after the initial population (generation 0).</summary>
    public int MaxGenerations { get; init; } = 50;
    /// <summary>Fresh evaluations allowed (cache hits and loaded candidates are free); null = no limit.</summary>
    public int? MaxEvaluations { get; init; }
    /// <summary>Wall-clock budget from the start of <see cref="Nsga2.Run"/>; null = none.</summary>
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Absolute wall-clock deadline; null = none. No fresh evaluation starts after it.</summary>
    public DateTimeOffset? Deadline { get; init; }
    public double CrossoverProbability { get; init; } = 0.9;
    /// <summary>Per-gene mutation probability.</summary>
    public double MutationProbability { get; init; } = 0.1;
    public ulong Seed { get; init; } = 1;
    /// <summary>Attempts to make an offspring whose network is not already in the population or the brood.</summary>
    public int DuplicateRetries { get; init; } = 20;
    public SearchObjectives Objectives { get; init; } = new();

    public void Validate()
    {
        if (PopulationSize < 2) throw new ArgumentException("nsga2: population size must be at least 2");
        if (MaxGenerations < 0) throw new ArgumentException("nsga2: generations must be >= 0");
        if (MaxEvaluations is < 0) throw new ArgumentException("nsga2: evaluation budget must be >= 0");
        if (!(CrossoverProbability is >= 0 and <= 1)) throw new ArgumentException("nsga2: crossover probability must be in [0, 1]");
        if (!(MutationProbability is >= 0 and <= 1)) throw new ArgumentException("nsga2: mutation probability must be in [0, 1]");
        if (DuplicateRetries < 0) throw new ArgumentException("nsga2: duplicate retries must be >= 0");
        Objectives.Validate();
    }
}

public enum StopReason { Generations, Evaluations, Deadline, Cancelled, Exhausted }

/// <summary>End-of-generation summary (generation 0 = the initial population).</summary>
public sealed record GenerationReport(int Generation, IReadOnlyList<EvaluatedCandidate> Population,
    int FreshEvaluations, int FirstFrontSize, EvaluatedCandidate? Best, TimeSpan Elapsed);

public sealed record Nsga2Result(
    IReadOnlyList<EvaluatedCandidate> Population,
    /// <summary>Every candidate known to the run, loaded ones first, then in evaluation order.</summary>
    IReadOnlyList<EvaluatedCandidate> Evaluated,
    int FreshEvaluations, int Generations, StopReason StopReason)
{
    public IReadOnlyList<EvaluatedCandidate> ParetoFront => Search.ParetoFront.Of(Evaluated);
    public EvaluatedCandidate? Chosen => Search.ParetoFront.ChooseSystem(Evaluated);
}

/// <summary>NSGA-II (Deb et al. 2002) over genomes of a <see cref="SearchSpace"/>: binary
/// tournaments by (rank, crowding), uniform crossover and per-gene mutation, elitist (μ+λ)
/// survival by non-dominated fronts then crowding distance, Deb's constrained domination for
/// hard limits. Evaluations are cached by genome key, so no network is scored twice (and a
/// previous run's log, given to <see cref="Preload"/>, replays for free: with the same seed the
/// run picks up where it stopped). Deterministic for a seed when the evaluator is.</summary>
public sealed class Nsga2
{
    private readonly SearchSpace _space;
    private readonly ICandidateEvaluator _evaluator;
    private readonly Nsga2Options _options;
    private readonly Dictionary<string, EvaluatedCandidate> _cache = new(StringComparer.Ordinal);
    private readonly List<EvaluatedCandidate> _evaluated = [];

    /// <summary>Raised after each fresh evaluation (not for cache hits or loaded candidates).</summary>
    public event Action<EvaluatedCandidate>? CandidateEvaluated;
    /// <summary>Raised after each generation's survival (and after the initial population).</summary>
    public event Action<GenerationReport>? GenerationCompleted;

    public Nsga2(SearchSpace space, ICandidateEvaluator evaluator, Nsga2Options options)
    {
        ArgumentNullException.ThrowIfNull(space); ArgumentNullException.ThrowIfNull(evaluator); ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _space = space; _evaluator = evaluator; _options = options;
    }

    public SearchSpace Space => _space;
    public int CachedCount => _cache.Count;

    /// <summary>Seeds the cache with already-scored genomes (e.g. read back from candidates.jsonl).
    /// Keys not of this search space are rejected.</summary>
    public void Preload(IEnumerable<(string Key, CandidateScore Score)> scored)
    {
        foreach (var (key, score) in scored)
        {
            if (_cache.ContainsKey(key)) continue;
            var genome = Genome.Parse(_space, key);
            var c = new EvaluatedCandidate(genome, score, _options.Objectives, -1, _evaluated.Count);
            _cache.Add(key, c);
            _evaluated.Add(c);
        }
    }

    private sealed class Budget(Nsga2Options o, CancellationToken ct)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public int Fresh;
        public StopReason? Stopped;
        public TimeSpan Elapsed => _clock.Elapsed;

        public bool CanEvaluate()
        {
            if (Stopped is not null) return false;
            if (ct.IsCancellationRequested) Stopped = StopReason.Cancelled;
            else if ((o.TimeLimit is TimeSpan t && _clock.Elapsed >= t) || (o.Deadline is DateTimeOffset d && DateTimeOffset.UtcNow >= d)) Stopped = StopReason.Deadline;
            else if (o.MaxEvaluations is int m && Fresh >= m) Stopped = StopReason.Evaluations;
            return Stopped is null;
        }
    }

    /// <summary>Scores a genome through the cache; null when the budget forbids a fresh evaluation.</summary>
    private EvaluatedCandidate? Score(Genome g, int generation, Budget budget, CancellationToken ct)
    {
        // A hit keeps the asking genome: its inactive slots (not part of the key) stay its own,
        // so a run resumed from a log (whose genomes have default inactive slots) replays exactly.
        if (_cache.TryGetValue(g.Key, out var hit))
            return ReferenceEquals(hit.Genome, g) ? hit : new EvaluatedCandidate(g, hit.Score, _options.Objectives, hit.Generation, hit.Index);
        if (!budget.CanEvaluate()) return null;
        var score = _evaluator.Evaluate(g, ct) ?? throw new InvalidOperationException($"the evaluator returned no score for {g.Key}");
        var c = new EvaluatedCandidate(g, score, _options.Objectives, generation, _evaluated.Count);
        _cache.Add(g.Key, c);
        _evaluated.Add(c);
        budget.Fresh++;
        CandidateEvaluated?.Invoke(c);
        return c;
    }

    public Nsga2Result Run(CancellationToken cancellationToken = default)
    {
        var o = _options;
        var rng = new Rng(o.Seed);
        var budget = new Budget(o, cancellationToken);
        int n = o.PopulationSize;

        // Generation 0: distinct random networks.
        var population = new List<EvaluatedCandidate>(n);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int misses = 0;
        while (population.Count < n && misses < Math.Max(64, 8 * n))
        {
            var g = Genome.Random(_space, rng);
            if (!seen.Add(g.Key)) { misses++; continue; }
            var c = Score(g, 0, budget, cancellationToken);
            if (c is null) break;
            population.Add(c);
        }
        if (population.Count == 0)
            return new Nsga2Result(population, [.. _evaluated], budget.Fresh, 0, budget.Stopped ?? StopReason.Exhausted);

        var (rank, crowd) = RankAndCrowd(population);
        Report(0, population, rank, budget);

        int generation = 0;
        StopReason reason = StopReason.Generations;
        while (generation < o.MaxGenerations)
        {
            if (budget.Stopped is not null || !budget.CanEvaluate()) { reason = budget.Stopped!.Value; break; }
            generation++;
            var inPopulation = new HashSet<string>(population.Select(p => p.Key), StringComparer.Ordinal);
            var brood = new List<EvaluatedCandidate>(n);
            var broodKeys = new HashSet<string>(StringComparer.Ordinal);
            bool stop = false;
            while (brood.Count < n && !stop)
            {
                Genome? child1 = null, child2 = null;
                for (int attempt = 0; attempt <= o.DuplicateRetries; attempt++)
                {
                    var a = population[Tournament(rank, crowd, rng)].Genome;
                    var b = population[Tournament(rank, crowd, rng)].Genome;
                    (Genome x, Genome y) = rng.NextDouble() < o.CrossoverProbability ? Genome.Crossover(a, b, rng) : (a, b);
                    x = x.Mutate(rng, o.MutationProbability);
                    y = y.Mutate(rng, o.MutationProbability);
                    bool xNew = !inPopulation.Contains(x.Key) && !broodKeys.Contains(x.Key);
                    bool yNew = !inPopulation.Contains(y.Key) && !broodKeys.Contains(y.Key) && y.Key != x.Key;
                    if (xNew || yNew || attempt == o.DuplicateRetries)
                    {
                        child1 = xNew || !yNew ? x : y;
                        child2 = xNew && yNew ? y : null;
                        break;
                    }
                }
                foreach (var child in new[] { child1, child2 })
                {
                    if (child is null || brood.Count >= n) continue;
                    broodKeys.Add(child.Key); // a forced duplicate (tiny spaces) is still a member
                    var c = Score(child, generation, budget, cancellationToken);
                    if (c is null) { stop = true; break; }
                    brood.Add(c);
                }
            }

            population = Survive(population, brood, n);
            (rank, crowd) = RankAndCrowd(population);
            Report(generation, population, rank, budget);
            if (stop) { reason = budget.Stopped ?? StopReason.Evaluations; break; }
        }
        return new Nsga2Result(population, [.. _evaluated], budget.Fresh, generation, reason);
    }

    private void Report(int generation, List<EvaluatedCandidate> population, int[] rank, Budget budget)
    {
        var handler = GenerationCompleted;
        if (handler is null) return;
        handler(new GenerationReport(generation, [.. population], budget.Fresh, rank.Count(r => r == 0),
            Search.ParetoFront.ChooseSystem(population), budget.Elapsed));
    }

    private static (int[] Rank, double[] Crowd) RankAndCrowd(List<EvaluatedCandidate> pop)
    {
        var objs = pop.Select(p => p.Objectives).ToArray();
        var fronts = Dominance.Sort(objs, pop.Select(p => p.Violation).ToArray());
        var rank = Dominance.Ranks(fronts, pop.Count);
        var crowd = new double[pop.Count];
        foreach (var f in fronts)
        {
            var d = Dominance.Crowding(objs, f);
            for (int i = 0; i < f.Count; i++) crowd[f[i]] = d[i];
        }
        return (rank, crowd);
    }

    /// <summary>Binary tournament: two distinct members at random, the crowded-better one wins (the first on a tie).</summary>
    private static int Tournament(int[] rank, double[] crowd, Rng rng)
    {
        int n = rank.Length;
        int a = rng.NextInt(n);
        if (n == 1) return a;
        int b = rng.NextInt(n - 1);
        if (b >= a) b++;
        return Dominance.CrowdedBetter(rank[b], crowd[b], rank[a], crowd[a]) ? b : a;
    }

    /// <summary>(μ+λ) survival: union of parents and brood (one copy per network), whole fronts in
    /// rank order, the last front cut by descending crowding distance (union order on ties).</summary>
    internal static List<EvaluatedCandidate> Survive(List<EvaluatedCandidate> parents, List<EvaluatedCandidate> brood, int n)
    {
        var union = new List<EvaluatedCandidate>(parents.Count + brood.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in parents.Concat(brood)) if (keys.Add(c.Key)) union.Add(c);
        var objs = union.Select(p => p.Objectives).ToArray();
        var fronts = Dominance.Sort(objs, union.Select(p => p.Violation).ToArray());
        var next = new List<EvaluatedCandidate>(n);
        foreach (var f in fronts)
        {
            if (next.Count + f.Count <= n) { foreach (int i in f) next.Add(union[i]); continue; }
            var d = Dominance.Crowding(objs, f);
            var order = Enumerable.Range(0, f.Count).OrderByDescending(i => d[i]).ThenBy(i => f[i]).ToArray();
            for (int j = 0; next.Count < n; j++) next.Add(union[f[order[j]]]);
            break;
        }
        return next;
    }
}
