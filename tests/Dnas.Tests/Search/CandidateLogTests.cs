using System.Text;
using System.Text.Json;
using Dnas.Search;
using Xunit;
using Dnas.Data.Preprocess;

namespace Dnas.Tests.Search;

public sealed class CandidateLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dnas-search-" + Guid.NewGuid().ToString("N"));

    public CandidateLogTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static Nsga2Options Options(int? maxEvals = null) => new()
    {
        PopulationSize = 12, MaxGenerations = 8, Seed = 21, MaxEvaluations = maxEvals,
        Objectives = new SearchObjectives { Costs = ["sram"], Limits = new Dictionary<string, double> { ["sram"] = 600 } },
    };

    [Fact]
    public void RoundTrip_EveryFieldSurvives()
    {
        string path = Path.Combine(_dir, "sub", "candidates.jsonl");
        var search = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options());
        Nsga2Result result;
        using (var log = new CandidateLogWriter(path))
        {
            log.Attach(search);
            result = search.Run();
        }
        var lines = File.ReadAllLines(path);
        Assert.Equal(result.Evaluated.Count, lines.Length);
        var read = CandidateLogReader.Read(path);
        Assert.Equal(result.Evaluated.Count, read.Count);
        for (int i = 0; i < read.Count; i++)
        {
            var c = result.Evaluated[i];
            var r = read[i];
            Assert.Equal(c.Key, r.Key);
            Assert.Equal(c.Generation, r.Generation);
            Assert.Equal(c.Accuracy, r.Score.Accuracy); // exact: doubles round-trip
            Assert.Equal(c.Score.Costs, r.Score.Costs);
            Assert.Equal(c.Score.Violation, r.Score.Violation);
            Assert.Equal(c.Feasible, r.Feasible);
            Assert.Equal(c.Violation, r.Violation);
        }
        Assert.Contains(read, r => !r.Feasible);
        // The genes are spelled out per line.
        using var doc = JsonDocument.Parse(lines[0]);
        var root = doc.RootElement;
        var g = result.Evaluated[0].Genome;
        Assert.Equal(g.Resolution, root.GetProperty("resolution").GetInt32());
        Assert.Equal(g.Color == ColorMode.Gray ? "gray" : "rgb", root.GetProperty("color").GetString());
        Assert.Equal(g.Width, root.GetProperty("width").GetDouble());
        Assert.Equal(g.Depths, root.GetProperty("depths").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(g.Depths, root.GetProperty("kernels").EnumerateArray().Select(e => e.GetArrayLength()));
        Assert.Equal(g.StageExpansions(2), root.GetProperty("expansions")[2].EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Resume_ReplaysTheUninterruptedRun_WithoutRescoring()
    {
        var full = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options()).Run();

        string path = Path.Combine(_dir, "candidates.jsonl");
        var first = new SyntheticProblem();
        using (var log = new CandidateLogWriter(path))
        {
            var s1 = new Nsga2(SyntheticProblem.Space, first, Options(maxEvals: 40));
            log.Attach(s1);
            Assert.Equal(StopReason.Evaluations, s1.Run().StopReason);
        }
        Assert.Equal(40, first.Calls);

        var second = new SyntheticProblem();
        Nsga2Result resumed;
        using (var log = new CandidateLogWriter(path))
        {
            var s2 = new Nsga2(SyntheticProblem.Space, second, Options());
            s2.Preload(CandidateLogReader.ForPreload(CandidateLogReader.Read(path)));
            Assert.Equal(40, s2.CachedCount);
            log.Attach(s2);
            resumed = s2.Run();
        }
        Assert.Equal(full.Evaluated.Count - 40, second.Calls);
        Assert.DoesNotContain(second.CallsByKey.Keys, k => first.CallsByKey.ContainsKey(k));
        Assert.Equal(full.Evaluated.Select(c => c.Key), resumed.Evaluated.Select(c => c.Key));
        Assert.Equal(full.Population.Select(c => c.Key), resumed.Population.Select(c => c.Key));
        Assert.Equal(full.Chosen!.Key, resumed.Chosen!.Key);
        Assert.Equal(full.Evaluated.Select(c => c.Key), CandidateLogReader.Read(path).Select(r => r.Key));
        Assert.All(resumed.Evaluated.Take(40), c => Assert.Equal(-1, c.Generation));
    }

    [Fact]
    public void TornLastLine_IsSkipped_AndCutBeforeAppending()
    {
        string path = Path.Combine(_dir, "torn.jsonl");
        var search = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options() with { MaxGenerations = 1 });
        var result = search.Run();
        using (var log = new CandidateLogWriter(path)) log.Write(result.Evaluated[0]);
        File.AppendAllText(path, "{\"key\":\"r32-gr");
        var read = CandidateLogReader.Read(path);
        Assert.Single(read);
        using (var log = new CandidateLogWriter(path)) log.Write(result.Evaluated[1]);
        read = CandidateLogReader.Read(path);
        Assert.Equal([result.Evaluated[0].Key, result.Evaluated[1].Key], read.Select(r => r.Key));
        Assert.EndsWith("\n", File.ReadAllText(path));

        // A file that is only a torn line is emptied.
        string only = Path.Combine(_dir, "only.jsonl");
        File.WriteAllText(only, "{\"key\"");
        Assert.Empty(CandidateLogReader.Read(only));
        using (var log = new CandidateLogWriter(only)) { }
        Assert.Equal(0, new FileInfo(only).Length);
        Assert.Empty(CandidateLogReader.Read(Path.Combine(_dir, "missing.jsonl")));
    }

    [Fact]
    public void MalformedCompleteLine_NamesTheLine()
    {
        string path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(path, "{\"key\":\"x\",\"accuracy\":0.5}\n\nnot json\n", Encoding.UTF8);
        var ex = Assert.Throws<FormatException>(() => CandidateLogReader.Read(path));
        Assert.True(ex.Message.Contains("bad.jsonl:3", StringComparison.Ordinal), ex.Message);
        // A key from another search space is refused on preload.
        var s = new Nsga2(SyntheticProblem.Space, new SyntheticProblem(), Options());
        Assert.Throws<FormatException>(() => s.Preload([("x", new CandidateScore(0.5))]));
    }
}

public class ParetoFrontTests
{
    private static readonly SearchObjectives Obj = new() { Costs = ["sram", "latency"], Limits = new Dictionary<string, double> { ["sram"] = 100 } };

    private static EvaluatedCandidate C(int seed, double acc, double sram, double latency) =>
        new(Genome.Random(SyntheticProblem.Space, new Dnas.Engine.Rng((ulong)seed)),
            new CandidateScore(acc, [new("sram", sram), new("latency", latency)]), Obj, 0, seed);

    [Fact]
    public void Front_IsTheFeasibleNonDominatedSet()
    {
        var a = C(1, 0.9, 90, 10);   // front
        var b = C(2, 0.8, 50, 5);    // front
        var c = C(3, 0.8, 60, 5);    // dominated by b
        var d = C(4, 0.95, 150, 1);  // infeasible (sram > 100)
        var e = C(5, 0.7, 40, 20);   // front (cheapest sram)
        var f = C(6, 0.8, 50, 5);    // duplicate objectives of b: also non-dominated
        var front = ParetoFront.Of([a, b, c, d, e, f]);
        Assert.Equal(new[] { a, b, f, e }.Select(x => x.Key).ToHashSet(), front.Select(x => x.Key).ToHashSet());
        Assert.Equal(a.Key, front[0].Key);
        Assert.False(d.Feasible);
        Assert.Equal(0.5, d.Violation, 12);
    }

    [Fact]
    public void ChooseSystem_BestFeasibleAccuracy_TiesToLowestCost()
    {
        var a = C(1, 0.8, 90, 10);
        var b = C(2, 0.8, 50, 9);
        var c = C(3, 0.8, 50, 7);
        var d = C(4, 0.99, 101, 1); // infeasible
        Assert.Equal(c.Key, ParetoFront.ChooseSystem([a, b, c, d])!.Key);
        Assert.Equal(c.Key, ParetoFront.ChooseSystem([d, c, b, a])!.Key);
        Assert.Null(ParetoFront.ChooseSystem([d]));
        Assert.Null(ParetoFront.ChooseSystem([]));
    }

    [Fact]
    public void Scores_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandidateScore(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandidateScore(0.5, violation: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandidateScore(0.5, [new("sram", double.PositiveInfinity)]));
        Assert.Equal(["a", "b"], new CandidateScore(0.5, [new("b", 1), new("a", 2)]).Costs.Keys);
    }
}
