using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Supernet;

/// <summary>One supernet training step by the sandwich rule: the caller passes the step's
/// subnets, the largest first (then typically the smallest and two random ones, all at the
/// step's resolution and colour mode, which the batch already has). The largest learns from the
/// labels; with in-place distillation the others learn from the largest's soft predictions.
/// Every subnet's gradients are added into the shared weights, then one optimiser step.
/// Subnets run one after another on shared activation buffers, and the engine networks for
/// recently used subnets are kept, so a step allocates little once warm. Batch-norm running
/// statistics stay with the subnets: a candidate is always recalibrated before it is scored
/// (<see cref="BnRecalibration"/>).</summary>
public sealed class SandwichTrainer
{
    private const int CachedNetworks = 8;

    private readonly ElasticMobileNetV2 _supernet;
    private readonly ActivationBuffers _buffers = new();
    private readonly Dictionary<string, (MobileNetV2 Net, long LastUse)> _nets = [];
    private readonly Tensor _teacher = new(0), _dLogits = new(0);
    private long _uses;

    public IOptimizer Optimizer { get; }
    public CosineSchedule Schedule { get; }
    public bool Distill { get; }
    public long StepIndex { get; set; }

    public SandwichTrainer(ElasticMobileNetV2 supernet, IOptimizer optimizer, CosineSchedule schedule, bool distill)
    {
        _supernet = supernet; Optimizer = optimizer; Schedule = schedule; Distill = distill;
    }

    /// <summary>images [N,R,R,C] (C matching every subnet's input), labels [N]; returns the
    /// largest subnet's cross-entropy.</summary>
    public float Step(Tensor images, ReadOnlySpan<int> labels, IReadOnlyList<SubnetSpec> subnets)
    {
        if (subnets.Count == 0) throw new ArgumentException("a sandwich step needs at least one subnet (the largest first)", nameof(subnets));
        _supernet.Full.ZeroGrad();
        float teacherLoss = 0;
        for (int i = 0; i < subnets.Count; i++)
        {
            var spec = subnets[i];
            var net = Network(spec);
            _supernet.LoadInto(net, spec);
            net.ZeroGrad();
            var logits = net.Forward(images, training: true);
            if (i == 0)
            {
                teacherLoss = Loss.SoftmaxCrossEntropy(logits, labels, _dLogits);
                _teacher.Reshape2(logits[0], logits[1]);
                logits.Span.CopyTo(_teacher.Span); // the next subnet's forward reuses the logits buffer
            }
            else if (Distill) Loss.SoftTarget(logits, _teacher, _dLogits);
            else Loss.SoftmaxCrossEntropy(logits, labels, _dLogits);
            // The shared weights get the mean of the subnets' gradients, not their sum, so the
            // learning rate means what it means for one network whatever the sandwich size.
            float share = 1f / subnets.Count;
            foreach (ref float g in _dLogits.Span) g *= share;
            net.Backward(_dLogits);
            _supernet.AccumulateGradients(net, spec);
        }
        Optimizer.Step(Schedule.At(StepIndex));
        StepIndex++;
        return teacherLoss;
    }

    private MobileNetV2 Network(SubnetSpec spec)
    {
        string key = spec.Key;
        _uses++;
        if (_nets.TryGetValue(key, out var cached))
        {
            _nets[key] = (cached.Net, _uses);
            return cached.Net;
        }
        if (_nets.Count >= CachedNetworks)
        {
            string oldest = _nets.MinBy(kv => kv.Value.LastUse).Key;
            _nets.Remove(oldest);
        }
        var net = _supernet.Create(spec, _buffers);
        _nets[key] = (net, _uses);
        return net;
    }
}
