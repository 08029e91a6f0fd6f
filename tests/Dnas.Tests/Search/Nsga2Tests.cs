using Dnas.Search;
using Xunit;
using Dnas.Data.Preprocess;

namespace Dnas.Tests.Search;

public class Nsga2Tests
{
    private static Nsga2Options Options(ulong seed = 1, int pop = 40, int gens = 60) => new()
    {
        PopulationSize = pop, MaxGenerations = gens, Seed = seed, MutationProbability = 0.05,
        Objectives = new SearchObjectives { Costs = ["sram"] },
    };

    [Fact]
    public void ConvergesToTheKnownFront()
    {
        var problem = new SyntheticProblem();
        var result = new Nsga2(SyntheticProblem.Space, problem, Options(gens: 150)).Run();
        var front = result.ParetoFront;
        double igd = SyntheticProblem.Igd(front, SyntheticProblem.Space);
        Assert.True(igd < 0.02, $"IGD {igd:F4} over {front.Count} front points");
        // Front members are (near) optimal for their cost: the penalty genes are (nearly) solved.
        foreach (var f in front)
        {
            double c = f.Score.Cost("sram") / SyntheticProblem.SramScale;
            Assert.True(f.Accuracy >= Math.Sqrt(c) * 0.95 - 1e-12, $"{f.Key}: acc {f.Accuracy:F4} vs optimum {Math.Sqrt(c):F4}");
        }
        // Both ends of the front are reached.
        Assert.Contains(front, f => f.Score.Cost("sram") <= 0.05 * SyntheticProblem.SramScale);
        Assert.Contains(front, f => f.Accuracy > 0.9);
        Assert.Equal(result.Evaluated.Count, result.FreshEvaluations);
        Assert.Equal(StopReason.Generations, result.StopReason);
        Assert.Equal(150, result.Generations);
    }

    [Fact]
    public void HardLimit_KeepsTheChoiceFeasible()
    {
        var problem = new SyntheticProblem();
        var o = Options() with { Objectives = new SearchObjectives { Costs = ["sram"], Limits = new Dictionary<string, double> { ["sram"] = 400 } } };
        var result = new Nsga2(SyntheticProblem.Space, problem, o).Run();
        Assert.All(result.Population, p => Assert.True(p.Feasible, p.ToString()));
        Assert.All(result.ParetoFront, p => Assert.True(p.Score.Cost("sram") <= 400));
        var chosen = result.Chosen;
        Assert.NotNull(chosen);
        int max = SyntheticProblem.MaxLevel(SyntheticProblem.Space);
        double bestPossible = Math.Sqrt(Math.Floor(0.4 * max) / max);
        Assert.True(chosen.Score.Cost("sram") <= 400);
        Assert.True(chosen.Accuracy >= bestPossible - 0.01, $"chose {chosen}, best feasible {bestPossible:F4}");
        Assert.True(SyntheticProblem.Igd(result.ParetoFront, SyntheticProblem.Space, 0.4) < 0.02);
        // Infeasible candidates were seen (the limit binds), and they carry their violation.
        Assert.Contains(result.Evaluated, c => !c.Feasible && c.Violation > 0);
    }

    [Fact]
    public void AllInfeasible_ChoosesNothing_ButStillRuns()
    {
        var o = Options(gens: 3) with { Objectives = new SearchObjectives { Costs = ["sram"], Limits = new Dictionary<string, double> { ["flash"] = 0.5 } } };
        var result = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), o).Run();
        Assert.Null(result.Chosen);
        Assert.Empty(result.ParetoFront);
        // Constrained domination drives toward smaller violation: the population's best violation is the global minimum seen.
        Assert.Equal(result.Evaluated.Min(c => c.Violation), result.Population.Min(c => c.Violation));
    }

    private static List<string> History(ulong seed, List<string>? generations = null)
    {
        var search = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options(seed, pop: 16, gens: 10));
        var seen = new List<string>();
        search.CandidateEvaluated += c => seen.Add($"{c.Generation}:{c.Index}:{c.Key}:{c.Accuracy:R}");
        if (generations is not null) search.GenerationCompleted += g => generations.Add($"{g.Generation}|{string.Join(';', g.Population.Select(p => p.Key))}");
        var result = search.Run();
        Assert.Equal(result.Evaluated.Select(c => $"{c.Generation}:{c.Index}:{c.Key}:{c.Accuracy:R}"), seen);
        return seen;
    }

    [Fact]
    public void SameSeed_IdenticalHistory()
    {
        List<string> g1 = [], g2 = [];
        var a = History(7, g1);
        var b = History(7, g2);
        Assert.Equal(a, b);
        Assert.Equal(g1, g2);
        Assert.Equal(11, g1.Count);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), g1.Select(s => s.Split('|')[0]));
        Assert.NotEqual(a, History(8));
    }

    [Fact]
    public void Cache_NoGenomeScoredTwice()
    {
        var problem = new SyntheticProblem();
        var search = new Nsga2(SyntheticProblem.Space, problem, Options(3, pop: 20, gens: 40));
        int events = 0;
        search.CandidateEvaluated += _ => events++;
        var result = search.Run();
        Assert.All(problem.CallsByKey, kv => Assert.Equal(1, kv.Value));
        Assert.Equal(problem.Calls, result.FreshEvaluations);
        Assert.Equal(problem.Calls, events);
        Assert.Equal(problem.Calls, result.Evaluated.Select(c => c.Key).Distinct().Count());
        Assert.Equal(20, result.Population.Count);
        Assert.Equal(20, result.Population.Select(p => p.Key).Distinct().Count());
    }

    [Fact]
    public void TinySpace_EvaluatesEachNetworkOnce_AndTerminates()
    {
        var sp = new SearchSpace([32], [ColorMode.Rgb], [0.5, 1.0],
            Enumerable.Repeat(new DepthRange(1, 1), 7), [6], [3]);
        var problem = new SyntheticProblem();
        var result = new Nsga2(sp, problem, Options(1, pop: 6, gens: 5)).Run();
        Assert.Equal(2, problem.Calls);
        Assert.Equal(2, result.Population.Count);
        Assert.Equal(5, result.Generations);
    }

    [Fact]
    public void EvaluationBudget_StopsExactly()
    {
        var problem = new SyntheticProblem();
        var result = new Nsga2(SyntheticProblem.Space, problem, Options() with { MaxEvaluations = 75 }).Run();
        Assert.Equal(75, problem.Calls);
        Assert.Equal(75, result.FreshEvaluations);
        Assert.Equal(StopReason.Evaluations, result.StopReason);
        Assert.Equal(40, result.Population.Count);
    }

    [Fact]
    public void Deadline_AndCancellation_Stop()
    {
        var slow = new SyntheticProblem { Delay = TimeSpan.FromMilliseconds(2) };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = new Nsga2(SyntheticProblem.Space, slow, Options(gens: 10_000) with { TimeLimit = TimeSpan.FromMilliseconds(300) }).Run();
        Assert.Equal(StopReason.Deadline, result.StopReason);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20));
        Assert.True(result.FreshEvaluations > 0);

        var past = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options() with { Deadline = DateTimeOffset.UtcNow.AddSeconds(-1) }).Run();
        Assert.Equal(StopReason.Deadline, past.StopReason);
        Assert.Equal(0, past.FreshEvaluations);
        Assert.Empty(past.Population);

        using var cts = new CancellationTokenSource();
        var search = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options(gens: 10_000));
        search.GenerationCompleted += g => { if (g.Generation == 3) cts.Cancel(); };
        var r2 = search.Run(cts.Token);
        Assert.Equal(StopReason.Cancelled, r2.StopReason);
        Assert.Equal(3, r2.Generations);
    }

    [Fact]
    public void HardwareAwareMode_NeverChangesTheDataGenes()
    {
        var sp = SyntheticProblem.Space.WithFixedData(64, ColorMode.Gray);
        var result = new Nsga2(sp, new SyntheticProblem(), Options(5, pop: 16, gens: 15)).Run();
        Assert.All(result.Evaluated, c => { Assert.Equal(64, c.Genome.Resolution); Assert.Equal(ColorMode.Gray, c.Genome.Color); });
        Assert.True(result.Evaluated.Count > 100);
    }

    [Fact]
    public void Survival_IsElitist()
    {
        var problem = new SyntheticProblem();
        var search = new Nsga2(SyntheticProblem.Space, problem, Options(2, pop: 16, gens: 20));
        var bestByGen = new List<double>();
        search.GenerationCompleted += g => bestByGen.Add(g.Best!.Accuracy);
        search.Run();
        for (int i = 1; i < bestByGen.Count; i++) Assert.True(bestByGen[i] >= bestByGen[i - 1]);
    }

    [Fact]
    public void Options_AreValidated()
    {
        var ev = new SyntheticProblem();
        Assert.Throws<ArgumentException>(() => new Nsga2(SyntheticProblem.Space, ev, new Nsga2Options { PopulationSize = 1 }));
        Assert.Throws<ArgumentException>(() => new Nsga2(SyntheticProblem.Space, ev, new Nsga2Options { MutationProbability = 2 }));
        Assert.Throws<ArgumentException>(() => new Nsga2(SyntheticProblem.Space, ev, new Nsga2Options { Objectives = new() { Costs = [] } }));
        var bad = new Nsga2(SyntheticProblem.Space, ev, new Nsga2Options { Objectives = new() { Costs = ["latency_ms"] } });
        Assert.Throws<KeyNotFoundException>(() => bad.Run());
    }
}
