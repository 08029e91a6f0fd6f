namespace Dnas.Pipeline;

/// <summary>Where a stage is: <paramref name="Done"/> of <paramref name="Total"/> units
/// (steps, candidates, batches) and a short status (loss, accuracy, rate).</summary>
public sealed record StageProgress(string Stage, long Done, long Total, string Status);
