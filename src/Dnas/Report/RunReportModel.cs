using Dnas.Hardware;
using Dnas.Search;

namespace Dnas.Report;

/// <summary>Everything <see cref="RunReport"/> shows. Only the candidates and the target are
/// required; every other field is optional, and a section or row whose data is missing is left
/// out of the report (never printed as a placeholder), so the report can be written after any
/// stage of a run.</summary>
public sealed record RunReportModel
{
    /// <summary>Every evaluated candidate of the search (costs: sram, flash, latency_ms, macs, params).</summary>
    public required IReadOnlyList<EvaluatedCandidate> Candidates { get; init; }

    /// <summary>The target the search ran against; its SRAM and flash are the plots' limit lines.</summary>
    public required TargetProfile Target { get; init; }

    /// <summary>The latency limit (ms), when the configuration set one.</summary>
    public double? LatencyLimitMs { get; init; }

    /// <summary>The chosen system (best feasible accuracy); null when none was chosen.</summary>
    public EvaluatedCandidate? Chosen { get; init; }

    /// <summary>The chosen system's hardware cost, for its table of layers.</summary>
    public ModelCost? ChosenCost { get; init; }

    /// <summary>Report heading, e.g. the run folder's name.</summary>
    public string Title { get; init; } = "DNAS run report";

    /// <summary>The search mode as configured, e.g. "data-aware".</summary>
    public string? SearchMode { get; init; }

    /// <summary>The cost minimised with accuracy (a cost key: sram, flash or latency_ms); also the
    /// cost axis of the comparison plot.</summary>
    public string Objective { get; init; } = "sram";

    /// <summary>Where the data came from, e.g. "synthetic, 4000 images, split 0.8/0.1/0.1".</summary>
    public string? DataSource { get; init; }

    /// <summary>Images in the test split the accuracies below were measured on.</summary>
    public int? TestImages { get; init; }

    public TimeSpan? SupernetTrainingTime { get; init; }
    public TimeSpan? SearchTime { get; init; }
    public TimeSpan? FinetuneTime { get; init; }

    /// <summary>Candidates the search evaluated (counting cache hits once); default: <see cref="Candidates"/>' count.</summary>
    public int? CandidatesEvaluated { get; init; }

    /// <summary>Test accuracy of the chosen subnet with its inherited supernet weights, before fine-tuning.</summary>
    public double? TestAccuracyBeforeFinetune { get; init; }

    /// <summary>Test accuracy of the chosen subnet after fine-tuning.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>The exported int8 model on the test split: its top-1 accuracy, the float model's
    /// on the same images, and how often their top-1 agree (null when the model was not exported).</summary>
    public double? Int8TestAccuracy { get; init; }
    public double? FloatTestAccuracy { get; init; }
    public double? Int8TestAgreement { get; init; }
    /// <summary>Size of model.tflite (int8) in bytes.</summary>
    public long? Int8ModelBytes { get; init; }

    /// <summary>A second candidate set drawn with this one in the comparison plot (e.g. the
    /// hardware-aware search at the same budget); null = no comparison.</summary>
    public IReadOnlyList<EvaluatedCandidate>? Comparison { get; init; }

    /// <summary>Legend name of <see cref="Candidates"/> in the comparison plot.</summary>
    public string CandidatesLabel { get; init; } = "this search";

    /// <summary>Legend name of <see cref="Comparison"/>.</summary>
    public string ComparisonLabel { get; init; } = "comparison";

    /// <summary>Test accuracy of the comparison's chosen system after fine-tuning, if measured.</summary>
    public double? ComparisonTestAccuracy { get; init; }
}
