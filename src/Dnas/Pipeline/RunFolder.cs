namespace Dnas.Pipeline;

/// <summary>The files of one run folder (<c>output:</c> in dnas.yaml, or <c>--out</c>). Every
/// stage writes its outputs atomically and records itself in <c>&lt;stage&gt;.json</c> with the
/// hash of its inputs, so a later run reuses a stage whose inputs did not change.</summary>
public sealed class RunFolder
{
    public string Root { get; }

    public RunFolder(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The prepared data store.</summary>
    public string Data => Path.Combine(Root, "data");
    /// <summary>Supernet training state: written every few minutes and at the end; its final
    /// version holds the trained supernet the search scores candidates with.</summary>
    public string SupernetCheckpoint => Path.Combine(Root, "supernet.ckpt");
    /// <summary>Every candidate the search evaluated, one JSON object per line.</summary>
    public string Candidates => Path.Combine(Root, "candidates.jsonl");
    /// <summary>The search's outcome: the chosen system and the Pareto front.</summary>
    public string SearchResult => Path.Combine(Root, "search.json");
    public string FinetuneCheckpoint => Path.Combine(Root, "finetune.ckpt");
    /// <summary>The fine-tuned winner's float weights.</summary>
    public string Model => Path.Combine(Root, "model.weights");
    /// <summary>The exported int8 model (export stage).</summary>
    public string Int8Model => Path.Combine(Root, "model.tflite");
    /// <summary>The exported float32 model of the same graph.</summary>
    public string FloatModel => Path.Combine(Root, "model.float.tflite");
    public string Report => Path.Combine(Root, "report.md");
    /// <summary>The generated firmware's default folder (<c>dnas run --firmware-dir</c> names another).</summary>
    public string Firmware => Path.Combine(Root, "firmware");
    /// <summary>The files the run's last stage produced, full paths one per line (<see cref="RunManifest"/>).</summary>
    public string GeneratedManifest => Path.Combine(Root, "generated.txt");
    /// <summary>The data stage's input hash (<see cref="RunManifest"/>).</summary>
    public string DataFingerprint => Path.Combine(Root, "data.fingerprint");

    /// <summary>The record of a finished stage.</summary>
    public string StageRecord(string stage) => Path.Combine(Root, stage + ".json");

    public void Create() => Directory.CreateDirectory(Root);
}
