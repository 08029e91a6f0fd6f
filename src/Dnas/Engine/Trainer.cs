using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Engine;

/// <summary>One supervised training step at a time: zero gradients, forward in training mode,
/// softmax cross-entropy, backward, optimiser step at the scheduled learning rate.</summary>
public sealed class Trainer
{
    private readonly Tensor _dLogits = new(0);
    public MobileNetV2 Model { get; }
    public IOptimizer Optimizer { get; }
    public CosineSchedule Schedule { get; }
    public long StepIndex { get; set; }

    public Trainer(MobileNetV2 model, IOptimizer optimizer, CosineSchedule schedule)
    {
        Model = model; Optimizer = optimizer; Schedule = schedule;
    }

    /// <summary>images [N,H,W,C], labels [N] -> the batch's mean loss.</summary>
    public float Step(Tensor images, ReadOnlySpan<int> labels)
    {
        Model.ZeroGrad();
        var logits = Model.Forward(images, training: true);
        float loss = Loss.SoftmaxCrossEntropy(logits, labels, _dLogits);
        Model.Backward(_dLogits);
        Optimizer.Step(Schedule.At(StepIndex));
        StepIndex++;
        return loss;
    }

    /// <summary>Number of correct top-1 predictions on a batch, in inference mode.</summary>
    public int CountCorrect(Tensor images, ReadOnlySpan<int> labels) =>
        Loss.Correct(Model.Forward(images, training: false), labels);
}
