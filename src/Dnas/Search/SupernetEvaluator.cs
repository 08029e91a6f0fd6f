using Dnas.Engine;
using Dnas.Hardware;
using Dnas.Supernet;
using Dnas.Data.Preprocess;

namespace Dnas.Search;

/// <summary>A labelled batch: images [N,R,R,C] at one resolution and colour mode, labels [N].</summary>
public sealed record LabelledBatch(Tensor Images, int[] Labels);

/// <summary>Scores a genome without training it (the paper's supernet-accelerated evaluation):
/// take the subnet's weights from the trained supernet, re-estimate its batch-norm statistics
/// on a few training batches, measure top-1 accuracy on validation batches; costs from the
/// hardware model: peak SRAM (arena + camera frame), flash and latency on the target.</summary>
public sealed class SupernetEvaluator : ICandidateEvaluator
{
    private readonly ElasticMobileNetV2 _supernet;
    private readonly ActivationBuffers _buffers = new();
    private readonly Func<int, ColorMode, IEnumerable<LabelledBatch>> _calibration, _validation;

    public TargetProfile Target { get; }
    public CameraFrame Camera { get; }

    /// <summary>The camera frame a candidate's firmware holds in SRAM; default <see cref="Camera"/>
    /// for every candidate.</summary>
    public Func<Genome, CameraFrame> CameraOf { get; init; }

    /// <param name="calibration">training batches at (resolution, colour) for BN recalibration</param>
    /// <param name="validation">validation batches at (resolution, colour) for accuracy</param>
    public SupernetEvaluator(ElasticMobileNetV2 supernet, TargetProfile target, CameraFrame camera,
        Func<int, ColorMode, IEnumerable<LabelledBatch>> calibration, Func<int, ColorMode, IEnumerable<LabelledBatch>> validation)
    {
        _supernet = supernet; Target = target; Camera = camera; _calibration = calibration; _validation = validation;
        CameraOf = _ => camera;
    }

    /// <summary>The supernet subnet a genome describes.</summary>
    public static SubnetSpec ToSubnet(Genome genome, int classes)
    {
        var blocks = new List<BlockChoice>(genome.BlockCount);
        for (int st = 0; st < SearchSpace.StageCount; st++)
        {
            var e = genome.StageExpansions(st); var k = genome.StageKernels(st);
            for (int j = 0; j < genome.Depths[st]; j++) blocks.Add(new BlockChoice(e[j], k[j]));
        }
        return new SubnetSpec(genome.InChannels, genome.Width, genome.Depths.ToArray(), blocks, classes);
    }

    /// <summary>A genome's costs on a target, as the search records them: peak SRAM (arena +
    /// camera frame), flash, latency, MACs and parameters.</summary>
    public static Dictionary<string, double> Costs(Genome genome, CameraFrame camera, TargetProfile target, int classes)
    {
        var cost = Cost(genome, camera, target, classes);
        return new Dictionary<string, double>
        {
            ["sram"] = cost.SramBytes,
            ["flash"] = cost.FlashBytes,
            ["latency_ms"] = cost.LatencySeconds * 1000,
            ["macs"] = cost.Macs,
            ["params"] = cost.Params,
        };
    }

    /// <summary>The hardware model's full cost breakdown of a genome (<paramref name="classes"/> outputs).</summary>
    public static ModelCost Cost(Genome genome, CameraFrame camera, TargetProfile target, int classes) =>
        ModelCost.Compute(ToSubnet(genome, classes).ToMobileNetV2Spec(), new ModelInput(genome.Resolution, genome.Resolution, genome.InChannels), camera, target);

    public CandidateScore Evaluate(Genome genome, CancellationToken cancellationToken)
    {
        var subnet = ToSubnet(genome, _supernet.Classes);
        var net = _supernet.Create(subnet, _buffers);
        _supernet.LoadInto(net, subnet);
        BnRecalibration.Recalibrate(net, _calibration(genome.Resolution, genome.Color).Select(b => b.Images));
        long correct = 0, total = 0;
        foreach (var batch in _validation(genome.Resolution, genome.Color))
        {
            cancellationToken.ThrowIfCancellationRequested();
            correct += Loss.Correct(net.Forward(batch.Images, training: false), batch.Labels);
            total += batch.Labels.Length;
        }
        if (total == 0) throw new InvalidOperationException($"no validation images at {genome.Resolution} px {genome.Color}");
        return new CandidateScore((double)correct / total, Costs(genome, CameraOf(genome), Target, _supernet.Classes));
    }
}
