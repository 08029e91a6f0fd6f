using Dnas.Data.Preprocess;

namespace Dnas.Config;

/// <summary>The <c>supernet:</c> section: how the weight-sharing supernet is trained.
/// <see cref="Steps"/> wins over <see cref="Epochs"/> when both are given.</summary>
public sealed partial record SupernetConfig
{
    /// <summary>Passes over the training split (used when <see cref="Steps"/> is null).</summary>
    public double Epochs { get; init; } = 3;
    /// <summary>Training steps; null = derived from <see cref="Epochs"/>.</summary>
    public int? Steps { get; init; }
    public int Batch { get; init; } = 32;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Peak learning rate; null = the optimiser's default (<see cref="EffectiveLearningRate"/>).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Adam 0.002, SGD 0.02 unless set: Adam learns the default budget's supernet several
    /// times faster than SGD on the synthetic set (bench/README.md).</summary>
    public double EffectiveLearningRate => LearningRate ?? (Optimizer == OptimizerKind.Adam ? 0.002 : 0.02);
    /// <summary>Subnets per step (the sandwich rule's 4: largest, smallest and 2 random).</summary>
    public int Sandwich { get; init; } = 4;
    public bool Distillation { get; init; } = true;
    /// <summary>Minutes between checkpoints.</summary>
    public double CheckpointMinutes { get; init; } = 2;

    public static SupernetConfig Default { get; } = new();
}

public enum SearchMode { DataAware, HardwareAware }

/// <summary>The training optimiser: Adam (torch.optim.Adam) or SGD with momentum 0.9 and
/// weight decay 4e-5 (not on batch norm).</summary>
public enum OptimizerKind { Adam, Sgd }

/// <summary>The <c>search:</c> section: NSGA-II settings, the objective, and the mode.</summary>
public sealed partial record SearchConfig
{
    public SearchMode Mode { get; init; } = SearchMode.DataAware;
    public int Population { get; init; } = 32;
    public int Generations { get; init; } = 10;
    /// <summary>Wall-clock budget of the search in minutes; null = none.</summary>
    public double? TimeBudgetMinutes { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>The cost minimised alongside accuracy: sram, flash or latency_ms.</summary>
    public string Objective { get; init; } = "sram";
    /// <summary>The data configuration in hardware-aware mode (default: the largest resolution, RGB).</summary>
    public int? FixedResolution { get; init; }
    public ColorMode? FixedColor { get; init; }
    /// <summary>Training images used to recalibrate batch norm per candidate.</summary>
    public int CalibrationImages { get; init; } = 256;
    /// <summary>Validation images scored per candidate (0 = the whole split).</summary>
    public int ValidationImages { get; init; } = 500;
    /// <summary>Training steps per candidate in the non-supernet baseline (<c>--no-supernet</c>).</summary>
    public int ScratchSteps { get; init; } = 60;

    public static SearchConfig Default { get; } = new();
}

/// <summary>The <c>finetune:</c> section: training the chosen subnet from its inherited weights.</summary>
public sealed partial record FinetuneConfig
{
    public double Epochs { get; init; } = 2;
    public int Batch { get; init; } = 32;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Peak learning rate; null = the optimiser's default (<see cref="EffectiveLearningRate"/>).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Adam 0.001, SGD 0.01 unless set (lower than the supernet's: the weights are trained already).</summary>
    public double EffectiveLearningRate => LearningRate ?? (Optimizer == OptimizerKind.Adam ? 0.001 : 0.01);

    public static FinetuneConfig Default { get; } = new();
}

/// <summary>How activation ranges are taken from the calibration images.</summary>
public enum RangeMethod
{
    /// <summary>The smallest and largest value seen.</summary>
    MinMax,
    /// <summary>The given percentile of the values seen (and 100 − it for the low end), which
    /// ignores rare outliers that would otherwise widen the step of every other value.</summary>
    Percentile,
}

/// <summary>The <c>quantize:</c> section: post-training int8 quantization of the fine-tuned model.</summary>
public sealed partial record QuantizeConfig
{
    /// <summary>Training images the activation ranges are measured on.</summary>
    public int CalibrationImages { get; init; } = 256;
    public RangeMethod Ranges { get; init; } = RangeMethod.MinMax;
    /// <summary>With <see cref="RangeMethod.Percentile"/>: the high percentile, e.g. 99.99.</summary>
    public double Percentile { get; init; } = 99.99;

    public static QuantizeConfig Default { get; } = new();
}
